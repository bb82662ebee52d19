// English texts of the indicators screens; the type keeps the keys in step with i18n.zh-CN.ts.
import type { IndicatorsMessages } from './i18n.zh-CN';

const indicatorsEn: IndicatorsMessages = {
  menu: { desk: 'Indicators' },
  tabs: { report: 'Indicator list', targets: 'Targets', ranking: 'Ranking', entry: 'Entry & approval' },
  periods: { ytd: 'Year to date', this_month: 'This month', last_month: 'Last month', this_quarter: 'This quarter', this_year: 'This year', last_12_months: 'Last 12 months' },
  levels: { county: 'County', town: 'Town', village: 'Village' },
  status: { met: 'Met', at_risk: 'At risk', missed: 'Missed' },
  kind: { computed: 'Computed', entered: 'Entered' },
  polarity: { negative: 'Negative (lower is better)', positive: 'Positive (higher is better)' },
  categories: { negative_list: 'Negative list', seven_up: 'Seven up', six_down: 'Six down', operations: 'Operations' },
  targetKinds: { change_pct: 'Change vs last year', ceiling: 'Ceiling', floor: 'Floor' },
  states: { submitted: 'Pending', approved: 'Approved', accepted: 'Accepted', returned: 'Returned' },
  actions: { entered: 'Entered', imported: 'Imported', changed: 'Changed', changed_after_approval: 'Changed after approval', approved: 'Approved', accepted: 'Accepted', returned: 'Returned' },
  report: {
    period: 'Period', area: 'Area', level: 'Level', indicator: 'Indicator', value: 'Value', base: 'Last year', yoy: 'YoY', target: 'Target', limit: 'Limit',
    status: 'Status', pending: 'Pending', cityTotal: 'Total', exportExcel: 'Export Excel', compareWith: 'Compared with {label}', detail: 'By area', unit: 'Unit',
    noTarget: 'No target', inherited: 'inherited', snapshot: 'current',
  },
  targets: { year: 'Year', kind: 'Kind', amount: 'Amount', note: 'Note', set: 'Set target', area: 'Area', editable: 'Editable', saved: 'Target saved' },
  ranking: { scheme: 'Scheme', compute: 'Compute', save: 'Save this ranking', saved: 'Ranking saved (digest {digest})', rank: 'Rank', total: 'Score', vetoed: 'Veto', digest: 'Digest', none: 'No ranking scheme available' },
  entry: {
    approved: 'Done: {state}', enter: 'Enter', month: 'Month', value: 'Value', source: 'Source', reason: 'Reason for change', state: 'State', flagged: 'Changed after approval', approve: 'Approve',
    return: 'Return', returnReason: 'Reason for returning', history: 'History', enteredBy: 'Entered by', approvedValue: 'Approved value', saved: 'Submitted',
    reasonHint: 'This figure was approved: a change needs a reason and goes through approval again.',
  },
  screen: { title: 'Negative indicators (year to date)', ranking: 'County ranking', yoy: 'YoY', target: 'Target' },
};
export default indicatorsEn;
