// Indicators end to end: the demo list with year-over-year against the city's −30 % target, computed indicators
// equal to what the platform holds, the entry → county approval → city acceptance loop with a flagged change after
// approval, targets inherited and overridden, a reproducible ranking, and the Excel export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { demoDefs } from '../../src/modules/indicators/indicators.demo.ts';
import { localDateStartUtc, localToday, resolvePeriod } from '../../src/modules/indicators/indicators.periods.ts';

let app: TestApp;
let admin: string;
const SY = '430523';
const TOWN = '430523100';

before(async () => {
  app = await createTestApp();
  admin = await app.login('admin');
});
after(async () => app?.close());

async function req(method: string, url: string, token: string, body?: unknown, status = 200) {
  const res = await app.request(method, url, { token, body });
  assert.equal(res.status, status, `${method} ${url}: ${JSON.stringify(res.body).slice(0, 400)}`);
  return res.body;
}

test(`the demo list: every county with year-over-year against the city's −30 % (${engine})`, async () => {
  const r = await req('GET', '/api/indicator-report?period=ytd', admin);
  assert.equal(r.period.key, `ytd:${localToday(app.clock.now())}`);
  assert.equal(r.areas.length, 12);
  assert.deepEqual(r.rows.map((x: { indicator: { code: string } }) => x.indicator.code), demoDefs.map((d) => d.code));
  const fraud = r.rows.find((x: { indicator: { code: string } }) => x.indicator.code === 'telecom_fraud_cases');
  assert.equal(fraud.indicator.kind, 'entered');
  for (const c of fraud.cells) {
    assert.ok(c.value > 0 && c.base > 0, `${c.areaName} has figures this year and last`);
    assert.equal(c.target.kind, 'change_pct');
    assert.equal(c.target.amount, -30);
    assert.equal(c.target.inherited, true);
    assert.equal(c.limit, Math.round(c.base * 0.7 * 100) / 100);
    assert.equal(c.status, c.value > c.limit ? 'missed' : c.value > c.limit * 0.9 ? 'at_risk' : 'met');
  }
  // The city total is the sum of its counties.
  const sum = fraud.cells.reduce((s: number, c: { value: number }) => s + c.value, 0);
  assert.ok(Math.abs(fraud.total.value - sum) < 0.05, `${fraud.total.value} vs ${sum}`);
  // The last two months are awaiting acceptance: shown, and marked pending.
  assert.equal(fraud.total.pending, true);
  // 隆回县 overrides the drowning target with zero tolerance.
  const drown = r.rows.find((x: { indicator: { code: string } }) => x.indicator.code === 'student_drownings');
  const lh = drown.cells.find((c: { areaCode: string }) => c.areaCode === '430524');
  assert.deepEqual([lh.target.kind, lh.target.amount, lh.target.inherited], ['ceiling', 0, false]);
});

test(`computed indicators equal what the platform holds (${engine})`, async () => {
  const r = await req('GET', `/api/indicator-report?period=this_year&areaCode=${SY}`, admin);
  const db = app.platform.db.kysely;
  const online = r.rows.find((x: { indicator: { code: string } }) => x.indicator.code === 'device_online_rate');
  const devs = await db.selectFrom('devices').select(['online']).where('area_code', 'like', `${SY}%`).where('status', '=', 'active').execute();
  assert.ok(devs.length > 0, 'the demo has devices in 邵阳县');
  assert.equal(online.total.value, Math.round((devs.filter((d) => d.online === 1).length / devs.length) * 10000) / 100);
  assert.equal(online.indicator.snapshot, true);
  assert.equal(online.total.yoyPct, null);
  const disputes = r.rows.find((x: { indicator: { code: string } }) => x.indicator.code === 'disputes');
  const p = resolvePeriod('this_year', app.clock.now());
  const cases = await db.selectFrom('cases').select(['area_code', 'intake_day']).where('area_code', 'like', `${SY}%`).execute();
  const inYear = cases.filter((c) => c.intake_day >= p.from && c.intake_day < p.to);
  assert.ok(inYear.length > 0, 'the demo has cases this year in 邵阳县');
  assert.equal(disputes.total.value, inYear.length);
  const town = disputes.cells.find((c: { areaCode: string }) => c.areaCode === TOWN);
  assert.equal(town.value, inYear.filter((c) => c.area_code.startsWith(TOWN)).length);
  // Drownings: alerts of the water subsystem closed as casualties, raised this year.
  const drown = r.rows.find((x: { indicator: { code: string } }) => x.indicator.code === 'student_drownings');
  const alerts = await db.selectFrom('alerts').select(['outcome', 'subsystem', 'raised_at']).where('area_code', 'like', `${SY}%`).execute();
  assert.equal(drown.total.value, alerts.filter((a) => a.subsystem === 'smart_water' && a.outcome === 'casualty' && a.raised_at >= localDateStartUtc(p.from) && a.raised_at < localDateStartUtc(p.to)).length);
  // A computed indicator is never typed.
  const res = await app.request('POST', '/api/indicator-values', { token: admin, body: { indicatorId: disputes.indicator.id, areaCode: SY, month: localToday(app.clock.now()).slice(0, 7), value: 3, source: '手填' } });
  assert.equal(res.status, 422);
  assert.equal(res.body.error.code, 'indicator.computed');
});

test(`definitions are validated, naming the field (${engine})`, async () => {
  const base = { code: 'x_bad', name: '测试', category: 'operations', polarity: 'negative', unit: '起' };
  let res = await app.request('POST', '/api/indicators', { token: admin, body: { ...base, numerator: { source: 'alerts', outcomes: ['nonsense'] } } });
  assert.equal(res.status, 400);
  assert.match(JSON.stringify(res.body), /numerator/);
  res = await app.request('POST', '/api/indicators', { token: admin, body: { ...base, numerator: { source: 'entered' } } });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.details.issues[0].field, 'entryLevel');
  res = await app.request('POST', '/api/indicators', { token: admin, body: { ...base, numerator: { source: 'cases' }, entryLevel: 'town' } });
  assert.equal(res.body.error.code, 'indicator.computed_not_entered');
  assert.equal((await app.platform.db.kysely.selectFrom('indicator_defs').select('id').where('code', '=', 'x_bad').execute()).length, 0);
});

test(`town enters, county approves, city accepts; a change after approval needs a reason and is flagged (${engine})`, async () => {
  const def = await req('POST', '/api/indicators', admin, {
    code: 'town_hazards', name: '安全隐患排查数', category: 'operations', polarity: 'positive', unit: '处', numerator: { source: 'entered' },
    entryLevel: 'town', approvalLevels: ['county', 'city'], areaCode: '430500',
  }, 201);
  const town = await app.login('sy_town');
  const county = await app.login('sy_operator');
  const city = await app.login('commander');
  const month = localToday(app.clock.now()).slice(0, 7);
  const bad = await app.request('POST', '/api/indicator-values', { token: county, body: { indicatorId: def.id, areaCode: SY, month, value: 5, source: '镇安监站' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details.issues[0].field, 'areaCode');
  const future = await app.request('POST', '/api/indicator-values', { token: town, body: { indicatorId: def.id, areaCode: TOWN, month: '2999-01', value: 5, source: '镇安监站' } });
  assert.equal(future.body.error.details.issues[0].field, 'month');

  const v = await req('POST', '/api/indicator-values', town, { indicatorId: def.id, areaCode: TOWN, month, value: 12, source: '镇安监站台账' });
  assert.equal(v.state, 'submitted');
  assert.equal((await app.request('POST', `/api/indicator-values/${v.id}/approve`, { token: town, body: {} })).status, 403);
  // The city cannot skip the county's step.
  const skip = await app.request('POST', `/api/indicator-values/${v.id}/approve`, { token: city, body: {} });
  assert.equal(skip.status, 403);
  assert.equal(skip.body.error.code, 'indicator_value.wrong_level');
  assert.equal((await req('POST', `/api/indicator-values/${v.id}/approve`, county, {})).state, 'approved');
  assert.equal((await req('POST', `/api/indicator-values/${v.id}/approve`, city, { note: '同意' })).state, 'accepted');

  const locked = await app.request('POST', '/api/indicator-values', { token: town, body: { indicatorId: def.id, areaCode: TOWN, month, value: 15, source: '镇安监站台账' } });
  assert.equal(locked.status, 400);
  assert.equal(locked.body.error.details.issues[0].field, 'reason');
  const changed = await req('POST', '/api/indicator-values', town, { indicatorId: def.id, areaCode: TOWN, month, value: 15, source: '镇安监站台账', reason: '补报遗漏的3处隐患' });
  assert.deepEqual([changed.state, changed.flagged, changed.approvedValue, changed.value], ['submitted', true, 12, 15]);

  // While the change is pending the history and the new figure stay visible, marked pending.
  const h = await req('GET', `/api/indicator-values/${v.id}/history`, county);
  assert.deepEqual(h.events.map((e: { action: string }) => e.action), ['entered', 'approved', 'accepted', 'changed_after_approval']);
  assert.equal(h.events[3].reason, '补报遗漏的3处隐患');
  const r = await req('GET', `/api/indicator-report?period=this_month&areaCode=${SY}&indicatorIds=${def.id}`, county);
  const cell = r.rows[0].cells.find((c: { areaCode: string }) => c.areaCode === TOWN);
  assert.deepEqual([cell.value, cell.pending], [15, true]);
  const ret = await req('POST', `/api/indicator-values/${v.id}/return`, county, { reason: '请附隐患清单' });
  assert.equal(ret.state, 'returned');
});

test(`targets: inherited down the tree unless overridden (${engine})`, async () => {
  const list = await req('GET', '/api/indicators', admin);
  const petitions = list.items.find((d: { code: string }) => d.code === 'petitions');
  const year = localToday(app.clock.now()).slice(0, 4);
  const bad = await app.request('PUT', '/api/indicator-targets', { token: admin, body: { indicatorId: petitions.id, areaCode: SY, year, kind: 'floor', amount: 10 } });
  assert.equal(bad.body.error.details.issues[0].field, 'kind');
  const t = await req('PUT', '/api/indicator-targets', admin, { indicatorId: petitions.id, areaCode: SY, year, kind: 'change_pct', amount: -40 });
  const r = await req('GET', `/api/indicator-report?period=ytd&indicatorIds=${petitions.id}`, admin);
  const sy = r.rows[0].cells.find((c: { areaCode: string }) => c.areaCode === SY);
  const lh = r.rows[0].cells.find((c: { areaCode: string }) => c.areaCode === '430524');
  assert.deepEqual([sy.target.amount, sy.target.inherited, sy.limit], [-40, false, Math.round(sy.base * 0.6 * 100) / 100]);
  assert.deepEqual([lh.target.amount, lh.target.inherited], [-30, true]);
  // The county's towns inherit the county's override.
  const towns = await req('GET', `/api/indicator-report?period=ytd&areaCode=${SY}&indicatorIds=${petitions.id}`, admin);
  assert.ok(towns.rows[0].cells.every((c: { target: { amount: number; areaCode: string } }) => c.target.amount === -40 && c.target.areaCode === SY));
  await req('DELETE', `/api/indicator-targets/${t.id}`, admin, undefined, 204);
});

test(`a county ranking for a period is reproducible, with a veto (${engine})`, async () => {
  const schemes = await req('GET', '/api/indicator-schemes', admin);
  const s = schemes.items[0];
  const a = await req('POST', `/api/indicator-schemes/${s.id}/runs`, admin, { period: 'ytd' }, 201);
  const b = await req('POST', `/api/indicator-schemes/${s.id}/runs`, admin, { period: 'ytd' }, 201);
  assert.notEqual(a.id, b.id);
  assert.equal(a.digest, b.digest);
  assert.deepEqual(a.result, b.result);
  assert.equal(a.result.length, 12);
  assert.deepEqual(a.result.map((x: { rank: number }) => x.rank), [...a.result.map((x: { rank: number }) => x.rank)].sort((x, y) => x - y));
  for (const x of a.result) if (x.vetoed.length) assert.equal(x.total, 0);
  const preview = await req('GET', `/api/indicator-schemes/${s.id}/ranking?period=ytd`, admin);
  assert.equal(preview.digest, a.digest);
  const stored = await req('GET', `/api/indicator-rankings/${a.id}`, admin);
  assert.equal(stored.digest, a.digest);
  const runs = await req('GET', `/api/indicator-schemes/${s.id}/runs`, admin);
  assert.ok(runs.items.some((r: { id: string }) => r.id === a.id));
});

test(`the report exports to Excel (${engine})`, async () => {
  const res = await app.app.inject({ method: 'GET', url: '/api/indicator-report/export?period=ytd', headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('指标')!;
  assert.equal(ws.getRow(2).getCell(1).value, '指标');
  const active = (await req('GET', '/api/indicators?active=true', admin)).items.length;
  assert.ok(active >= demoDefs.length);
  assert.equal(ws.rowCount, 2 + active * 13);
  assert.equal(ws.getRow(3).getCell(1).value, demoDefs[0]!.name);
});
