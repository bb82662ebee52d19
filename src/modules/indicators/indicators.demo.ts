// The demo's indicator list (the seed's "一个总目标": every negative indicator down 30 % or more, and the "七上升
// 六下降" of 邵东), county populations, the city's targets for this year and last, two years of entered monthly figures
// per county up to today (so year-over-year works on any day), and a county ranking scheme. Idempotent.
import crypto from 'node:crypto';
import { systemActor } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { newId } from '../../platform/crypto.ts';
import type { Expr } from './indicators.expr.ts';
import { addMonths, localToday } from './indicators.periods.ts';
import { indicatorsRepo } from './indicators.repo.ts';
import type { IndicatorsService } from './indicators.service.ts';
import type { IndicatorValueEventRow, IndicatorValueRow } from './indicators.tables.ts';

const CITY = '430500';
interface DemoDef {
  code: string; name: string; category: 'negative_list' | 'seven_up' | 'six_down' | 'operations'; polarity: 'negative' | 'positive'; unit: string;
  numerator: Expr; denominator?: Expr; factor?: number;
  /** Entered: typical monthly figure per county, and this year's ratio to last year's (about). */
  monthly?: number; trend?: number; source?: string;
}

const entered: Expr = { source: 'entered' };
export const demoDefs: DemoDef[] = [
  { code: 'safety_accidents', name: '安全生产事故起数', category: 'negative_list', polarity: 'negative', unit: '起', numerator: entered, monthly: 3, trend: 0.65, source: '应急管理局统计' },
  { code: 'safety_deaths', name: '安全生产事故死亡人数', category: 'negative_list', polarity: 'negative', unit: '人', numerator: entered, monthly: 1.2, trend: 0.62, source: '应急管理局统计' },
  { code: 'road_fatal_accidents', name: '道路交通亡人事故起数', category: 'negative_list', polarity: 'negative', unit: '起', numerator: entered, monthly: 2, trend: 0.6, source: '公安交警支队' },
  { code: 'road_deaths', name: '道路交通事故死亡人数', category: 'negative_list', polarity: 'negative', unit: '人', numerator: entered, monthly: 2.4, trend: 0.6, source: '公安交警支队' },
  { code: 'student_drownings', name: '学生溺水事故起数', category: 'negative_list', polarity: 'negative', unit: '起', numerator: { source: 'alerts', subsystems: ['smart_water'], outcomes: ['casualty'] } },
  { code: 'new_drug_users', name: '新增吸毒人员数', category: 'negative_list', polarity: 'negative', unit: '人', numerator: entered, monthly: 4, trend: 0.5, source: '禁毒委办公室' },
  { code: 'telecom_fraud_cases', name: '电信网络诈骗立案数', category: 'negative_list', polarity: 'negative', unit: '起', numerator: entered, monthly: 25, trend: 0.68, source: '公安局刑侦支队' },
  { code: 'petitions', name: '信访总量', category: 'negative_list', polarity: 'negative', unit: '件', numerator: entered, monthly: 40, trend: 0.7, source: '信访局' },
  { code: 'homicide_rate', name: '十万人命案发生率', category: 'negative_list', polarity: 'negative', unit: '起/10万人', numerator: entered, denominator: { source: 'population' }, factor: 100000, monthly: 0.4, trend: 0.7, source: '公安局刑侦支队' },
  { code: 'criminal_cases_solved', name: '破刑事案件数', category: 'seven_up', polarity: 'positive', unit: '起', numerator: entered, monthly: 30, trend: 1.2, source: '公安局' },
  { code: 'criminal_detentions', name: '刑事拘留人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 20, trend: 1.15, source: '公安局' },
  { code: 'arrests', name: '逮捕人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 12, trend: 1.12, source: '检察院' },
  { code: 'prosecutions', name: '移送起诉人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 14, trend: 1.1, source: '公安局法制大队' },
  { code: 'compulsory_rehab', name: '强制隔离戒毒人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 3, trend: 1.2, source: '禁毒委办公室' },
  { code: 'community_rehab', name: '社区戒毒人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 5, trend: 1.18, source: '禁毒委办公室' },
  { code: 'admin_penalties', name: '行政处罚人数', category: 'seven_up', polarity: 'positive', unit: '人', numerator: entered, monthly: 60, trend: 1.1, source: '公安局' },
  { code: 'homicides', name: '命案立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 0.4, trend: 0.7, source: '公安局刑侦支队' },
  { code: 'thefts', name: '盗窃案件立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 45, trend: 0.75, source: '公安局' },
  { code: 'robberies', name: '"两抢"案件立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 2, trend: 0.6, source: '公安局' },
  { code: 'provocations', name: '寻衅滋事案件立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 4, trend: 0.7, source: '公安局' },
  { code: 'injuries', name: '伤害案件立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 6, trend: 0.72, source: '公安局' },
  { code: 'extortions', name: '敲诈勒索案件立案数', category: 'six_down', polarity: 'negative', unit: '起', numerator: entered, monthly: 1, trend: 0.65, source: '公安局' },
  { code: 'drowning_persuasions', name: '防溺水劝返人次', category: 'operations', polarity: 'positive', unit: '人次', numerator: { source: 'alerts', subsystems: ['smart_water'], outcomes: ['persuaded_away'] } },
  { code: 'disputes', name: '矛盾纠纷受理数', category: 'operations', polarity: 'negative', unit: '件', numerator: { source: 'cases' } },
  { code: 'dispute_resolution_rate', name: '矛盾纠纷调解成功率', category: 'operations', polarity: 'positive', unit: '%', numerator: { source: 'cases', outcomes: ['agreement'] }, denominator: { source: 'cases', states: ['concluded', 'followed_up', 'rated'] }, factor: 100 },
  { code: 'device_online_rate', name: '感知设备在线率', category: 'operations', polarity: 'positive', unit: '%', numerator: { source: 'devices', online: true }, denominator: { source: 'devices' }, factor: 100 },
];

/** Residents per county (approximate, for the demo's rates per 100,000). */
const populations: Record<string, number> = {
  '430502': 300000, '430503': 330000, '430511': 100000, '430522': 640000, '430523': 840000, '430524': 1050000,
  '430525': 730000, '430527': 320000, '430528': 540000, '430529': 230000, '430581': 650000, '430582': 760000,
};

/** A repeatable number in [0, 1) from a text (the same demo every time). */
function unit(text: string): number {
  return crypto.createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

export async function seedIndicatorsDemo(p: Platform, s: IndicatorsService, progress: (msg: string) => void = () => {}): Promise<void> {
  const db = p.db.kysely;
  if (await indicatorsRepo.defByCode(db, demoDefs[0]!.code)) return;
  const actor = systemActor('demo-seed');
  const counties = await db.selectFrom('areas').select(['code', 'name']).where('level', '=', 'county').where('code', 'like', '4305%').orderBy('code').execute();
  const year = Number(localToday(p.clock.now()).slice(0, 4));
  for (const c of counties) {
    await db.insertInto('area_populations').values({ area_code: c.code, year: String(year - 1), population: populations[c.code] ?? 500000, source: '演示数据（约数）' }).execute();
  }
  const ids = new Map<string, string>();
  for (const [i, d] of demoDefs.entries()) {
    const def = await s.createDef(actor, {
      code: d.code, name: d.name, category: d.category, polarity: d.polarity, unit: d.unit, factor: d.factor ?? 1, numerator: d.numerator,
      denominator: d.denominator ?? null, entryLevel: d.numerator.source === 'entered' ? 'county' : null, approvalLevels: ['city'], areaCode: CITY, sort: (i + 1) * 10,
      description: d.source ? `来源：${d.source}` : null,
    });
    ids.set(d.code, def.id);
    for (const y of [year - 1, year]) {
      if (d.code === 'device_online_rate') await s.putTarget(actor, { indicatorId: def.id, areaCode: CITY, year: String(y), kind: 'floor', amount: 95, note: '在线率不低于95%' });
      else if (d.code === 'dispute_resolution_rate') await s.putTarget(actor, { indicatorId: def.id, areaCode: CITY, year: String(y), kind: 'floor', amount: 90, note: '调解成功率不低于90%' });
      else if (d.polarity === 'negative') await s.putTarget(actor, { indicatorId: def.id, areaCode: CITY, year: String(y), kind: 'change_pct', amount: -30, note: '负面指标同比下降30%以上' });
      else if (d.category === 'seven_up') await s.putTarget(actor, { indicatorId: def.id, areaCode: CITY, year: String(y), kind: 'change_pct', amount: 10, note: '同比上升' });
    }
  }
  // 隆回县's drownings: zero tolerance (an override of the city's −30 %).
  await s.putTarget(actor, { indicatorId: ids.get('student_drownings')!, areaCode: '430524', year: String(year), kind: 'ceiling', amount: 0, note: '零溺亡' });

  // Entered figures: 24 months up to this one (this month so far), accepted except the last two months (pending).
  const now = p.clock.now();
  const today = localToday(now);
  const thisMonth = today.slice(0, 7);
  const dayShare = Number(today.slice(8, 10)) / new Date(Date.UTC(year, Number(today.slice(5, 7)), 0)).getUTCDate();
  const at = now.toISOString();
  const rows: IndicatorValueRow[] = [];
  const events: IndicatorValueEventRow[] = [];
  for (const d of demoDefs) {
    if (d.numerator.source !== 'entered') continue;
    for (const c of counties) {
      const size = (populations[c.code] ?? 500000) / 600000;
      // Most counties follow the city's trend; some do better, one or two fall behind.
      const countyTrend = (d.trend ?? 1) * (0.8 + 0.45 * unit(`${d.code}:${c.code}`));
      for (let k = 23; k >= 0; k--) {
        const month = addMonths(thisMonth + '-01', -k).slice(0, 7);
        const thisYear = month.slice(0, 4) === String(year);
        const noise = 0.75 + 0.5 * unit(`${d.code}:${c.code}:${month}`);
        let v = (d.monthly ?? 1) * size * noise * (thisYear ? countyTrend : 1);
        if (month === thisMonth) v *= dayShare;
        const value = d.monthly! < 1.5 ? Math.round(v * 10) / 10 : Math.round(v);
        const id = newId();
        const pending = k <= 1;
        const state = pending ? 'submitted' : 'accepted';
        rows.push({
          id, indicator_id: ids.get(d.code)!, area_code: c.code, month, value, source: d.source ?? '演示数据', state, approval_step: pending ? 0 : 1,
          approved_value: pending ? null : value, flagged: 0, version: 0, entered_by: null, entered_by_name: `${c.name}（演示导入）`, entered_at: at, updated_at: at,
        });
        events.push({ id: newId(), value_id: id, seq: 1, at, actor_id: null, actor_name: `${c.name}（演示导入）`, action: 'imported', value, from_state: null, to_state: 'submitted', reason: null });
        if (!pending) events.push({ id: newId(), value_id: id, seq: 2, at, actor_id: null, actor_name: '市委政法委（演示）', action: 'accepted', value, from_state: 'submitted', to_state: 'accepted', reason: null });
      }
    }
  }
  await db.transaction().execute((trx) => indicatorsRepo.insertValueRows(trx, rows, events));

  await s.createScheme(actor, {
    name: '平安建设综合考核（县市区）', areaCode: CITY, level: 'county',
    rules: {
      items: [
        { indicatorId: ids.get('safety_accidents')!, weight: 20, measure: 'yoy_pct', rule: { kind: 'rank_points', points: [100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56] } },
        { indicatorId: ids.get('road_deaths')!, weight: 20, measure: 'yoy_pct', rule: { kind: 'rank_points', points: [100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56] } },
        { indicatorId: ids.get('telecom_fraud_cases')!, weight: 25, measure: 'yoy_pct', rule: { kind: 'rank_points', points: [100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56] } },
        { indicatorId: ids.get('petitions')!, weight: 20, measure: 'yoy_pct', rule: { kind: 'rank_points', points: [100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56] } },
        { indicatorId: ids.get('student_drownings')!, weight: 15, measure: 'value', rule: { kind: 'deduction', perUnit: 20 } },
      ],
      vetoes: [{ indicatorId: ids.get('homicide_rate')!, above: 1.5, label: '十万人命案发生率超过1.5' }],
    },
  });
  progress(`  indicators: ${demoDefs.length} definitions, ${rows.length} entered monthly figures for ${counties.length} counties, targets for ${year - 1} and ${year}`);
}
