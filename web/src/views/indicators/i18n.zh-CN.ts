// Interface texts of the indicators screens (zh-CN); i18n.en.ts has the same keys. Mounted as `indicators` in i18n/zh-CN.ts.
const indicatorsZh = {
  menu: { desk: '指标考核' },
  tabs: { report: '指标清单', targets: '目标', ranking: '排名', entry: '填报审核' },
  periods: { ytd: '今年以来', this_month: '本月', last_month: '上月', this_quarter: '本季度', this_year: '本年', last_12_months: '近12个月' },
  levels: { county: '县（市、区）', town: '乡镇（街道）', village: '村（社区）' },
  status: { met: '达标', at_risk: '预警', missed: '未达标' },
  kind: { computed: '平台计算', entered: '填报' },
  polarity: { negative: '负面指标（越低越好）', positive: '正面指标（越高越好）' },
  categories: { negative_list: '负面清单', seven_up: '七上升', six_down: '六下降', operations: '业务运行' },
  targetKinds: { change_pct: '同比变化', ceiling: '上限', floor: '下限' },
  states: { submitted: '待审核', approved: '已审核', accepted: '已验收', returned: '已退回' },
  actions: { entered: '填报', imported: '导入', changed: '修改', changed_after_approval: '审核后修改', approved: '审核通过', accepted: '验收通过', returned: '退回' },
  report: {
    period: '统计期', area: '地区', level: '排名层级', indicator: '指标', value: '本期', base: '同期', yoy: '同比', target: '目标', limit: '限值',
    status: '状态', pending: '待审', cityTotal: '合计', exportExcel: '导出 Excel', compareWith: '同比：{label}', detail: '各地区', unit: '单位',
    noTarget: '未设目标', inherited: '继承自上级', snapshot: '当前值',
  },
  targets: { year: '年度', kind: '类型', amount: '数值', note: '说明', set: '设定目标', area: '地区', editable: '可编辑', saved: '目标已保存' },
  ranking: { scheme: '考核方案', compute: '计算排名', save: '保存本期排名', saved: '排名已保存（校验码 {digest}）', rank: '名次', total: '总分', vetoed: '一票否决', digest: '校验码', none: '暂无可用的考核方案' },
  entry: {
    approved: '审核完成：{state}', enter: '填报', month: '月份', value: '数值', source: '来源', reason: '修改原因', state: '状态', flagged: '审核后修改', approve: '审核通过',
    return: '退回', returnReason: '退回原因', history: '历史', enteredBy: '填报人', approvedValue: '原审核值', saved: '已提交',
    reasonHint: '该数值已审核，修改需说明原因并重新审核。',
  },
  screen: { title: '负面指标（今年以来）', ranking: '县市区综合考核排名', yoy: '同比', target: '目标' },
};
export type IndicatorsMessages = typeof indicatorsZh;
export default indicatorsZh;
