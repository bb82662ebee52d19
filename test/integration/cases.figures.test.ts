// Figures for the indicators, computed from cases with known outcomes and times in 金称市镇 (430523102):
// by type, area and month, resolution rate, overdue rate, mean days to conclude, satisfaction; scoped by area.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { JINCHENG, openCase } from './cases.helpers.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T02:00:00.000Z');
let app: TestApp;
let clock: FakeClock;
let op: string;

const at = (days: number) => clock.set(new Date(T0 + days * DAY));

async function post(url: string, body?: unknown) {
  const res = await app.request('POST', url, { token: op, body });
  assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Signs (for the county's mediators, who have no accounts), concludes, follows up and rates. */
async function close(id: string, outcome: string, satisfaction: number | null) {
  await post(`/api/cases/${id}/sign`);
  await post(`/api/cases/${id}/conclude`, { outcome, note: '办结' });
  if (satisfaction === null) return;
  await post(`/api/cases/${id}/follow-up`, { method: 'phone', note: '回访' });
  await post(`/api/cases/${id}/rate`, { satisfaction });
}

before(async () => {
  clock = new FakeClock(new Date(T0));
  app = await createTestApp({ clock, config: { sessionTtlHours: 24 * 365 } });
  op = await app.login('sy_operator');
  // 金称市镇 has no centre of its own: its cases go to the county centre.
  at(0);
  const a = await openCase(app, op, { areaCode: '430523102201', type: 'neighbour' });
  const b = await openCase(app, op, { areaCode: '430523102203', type: 'wages' });
  at(1);
  await openCase(app, op, { areaCode: '430523102203', type: 'wages' }); // left open: overdue after 15 days
  at(10);
  await close(a.id, 'agreement', 5);
  at(20);
  await close(b.id, 'court', 2); // 5 days late
  at(25);
  const c = await openCase(app, op, { areaCode: '430523102204', type: 'neighbour' });
  await post(`/api/cases/${c.id}/sign`);
  at(26);
  const d = await openCase(app, op, { areaCode: '430523102001', type: 'traffic' });
  at(27);
  await post(`/api/cases/${d.id}/conclude`, { outcome: 'withdrawn', note: '撤回' });
  at(30);
  const e = await openCase(app, op, { areaCode: '430523102201', type: 'mass_economic', peopleCount: 50, amountInvolved: 1_000_000 });
  await post(`/api/cases/${e.id}/stage`, { stage: 'recovery', amountRecovered: 200_000 });
  at(31);
});
after(async () => app?.close());

test(`the figures of a town: counts, rates, means (${engine})`, async () => {
  const res = await app.request('GET', `/api/cases/figures?areaCode=${JINCHENG}`, { token: op });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const f = res.body;
  assert.equal(f.areaCode, JINCHENG);
  assert.equal(f.total, 6);
  assert.equal(f.open, 3);
  assert.equal(f.concluded, 3);
  assert.equal(f.resolved, 1);
  assert.equal(f.overdue, 2, 'one concluded late, one open past its deadline');
  assert.equal(f.resolutionRate, 0.1667);
  assert.equal(f.concludedRate, 0.5);
  assert.equal(f.overdueRate, 0.3333);
  assert.equal(f.meanDaysToConclude, 10.33, '(10 + 20 + 1) / 3');
  assert.deepEqual(f.satisfaction, { rated: 2, mean: 3.5, satisfiedRate: 0.5 });
  assert.deepEqual(f.byType, [
    { type: 'mass_economic', count: 1, resolved: 0 },
    { type: 'neighbour', count: 2, resolved: 1 },
    { type: 'traffic', count: 1, resolved: 0 },
    { type: 'wages', count: 2, resolved: 0 },
  ]);
  assert.deepEqual(f.byArea.map((a: { areaCode: string; areaName: string; count: number; overdue: number }) => [a.areaCode, a.areaName, a.count, a.overdue]), [
    ['430523102001', '金珠社区', 1, 0],
    ['430523102201', '金称市村', 2, 0],
    ['430523102203', '石马村', 2, 2],
    ['430523102204', '范街村', 1, 0],
  ]);
  assert.deepEqual(f.byMonth, [
    { month: '2026-03', count: 3, concluded: 2 },
    { month: '2026-04', count: 3, concluded: 1 },
  ]);
  const states = Object.fromEntries(f.byState.map((s: { state: string; count: number }) => [s.state, s.count]));
  assert.deepEqual(states, { assigned: 2, concluded: 1, mediating: 1, rated: 2 });
  assert.deepEqual(f.massEconomic, { cases: 1, people: 50, amountInvolved: 1_000_000, amountRecovered: 200_000 });
});

test(`figures follow the period and the caller's scope (${engine})`, async () => {
  const april = await app.request('GET', `/api/cases/figures?areaCode=${JINCHENG}&from=2026-04-01T00:00:00.000Z`, { token: op });
  assert.equal(april.body.total, 3);
  assert.deepEqual(april.body.byMonth.map((m: { month: string }) => m.month), ['2026-04']);

  const lh = await app.login('lh_operator');
  assert.equal((await app.request('GET', `/api/cases/figures?areaCode=${JINCHENG}`, { token: lh })).status, 404);
  const own = await app.request('GET', '/api/cases/figures', { token: lh });
  assert.equal(own.status, 200);
  assert.equal(own.body.areaCode, '430524');
  assert.ok(own.body.byArea.every((a: { areaCode: string }) => a.areaCode.startsWith('430524')));
  assert.ok(own.body.total >= 1);

  // The city sees its counties; 邵阳县's count includes the town's six.
  const city = await app.request('GET', '/api/cases/figures', { token: await app.login('leader') });
  assert.equal(city.status, 200);
  const sy = city.body.byArea.find((a: { areaCode: string }) => a.areaCode === '430523');
  const county = await app.request('GET', '/api/cases/figures?areaCode=430523', { token: op });
  assert.equal(sy.areaName, '邵阳县');
  assert.equal(sy.count, county.body.total);
  assert.equal(city.body.total, county.body.total + own.body.total);

  // An empty area has no rates rather than zeros.
  const empty = await app.request('GET', '/api/cases/figures?areaCode=430523209', { token: op });
  assert.equal(empty.body.total, 0);
  assert.equal(empty.body.resolutionRate, null);
  assert.equal(empty.body.meanDaysToConclude, null);
});
