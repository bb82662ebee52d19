// Key-person timers with a moved clock: a visit (or hair test) that falls due and is not done becomes overdue and
// reminds the helper; three days later the town's officers are told. Once only — not on the next tick, not after a
// restart — and a visit done in time stops the ladder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { createPlatform, createServices } from '../../src/app.ts';
import { makeIdNumber } from '../../src/modules/people/idcard.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.parse('2026-05-22T02:00:00.000Z');
const VILLAGE = '430523100203';
let app: TestApp;
let clock: FakeClock;
let town: string;
let helperUserId: string;
let townOfficerId: string;
let seq = 500;

before(async () => {
  clock = new FakeClock(new Date(T0));
  app = await createTestApp({ clock, config: { sessionTtlHours: 24 * 365 } });
  town = await app.login('sy_town');
  helperUserId = (await app.request('GET', '/api/auth/me', { token: await app.login('sy_grid') })).body.id;
  townOfficerId = (await app.request('GET', '/api/auth/me', { token: town })).body.id;
  // The demo's own key persons fire now, out of the way of what follows.
  await app.services.people.tick();
});
after(async () => app?.close());

async function keyPerson(category: string, level: string): Promise<string> {
  const h = await app.request('POST', '/api/people/households', { token: town, body: { areaCode: VILLAGE, address: `计时户${seq}` } });
  const r = await app.request('POST', '/api/people/residents', { token: town, body: { householdId: h.body.id, householdRole: 'head', name: '计时人员', idNumber: makeIdNumber('430523', '19850101', seq++) } });
  const kp = await app.request('POST', '/api/people/key-persons', { token: town, body: { residentId: r.body.id, category, level, helperUserId } });
  assert.equal(kp.status, 201, JSON.stringify(kp.body));
  return kp.body.id;
}

const notes = (id: string) =>
  app.platform.db.kysely.selectFrom('notifications').select(['recipient_id', 'dedupe_key']).where('dedupe_key', 'like', `keyperson:${id}:%`).orderBy('created_at').execute();
const auditOf = async (id: string) => (await app.platform.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', id).orderBy('at').execute()).map((a) => a.action);

test(`an overdue visit reminds the helper, then escalates to the town, each once, also across a restart (${engine})`, async () => {
  clock.set(new Date(T0));
  const id = await keyPerson('released_prisoner', 'key');

  clock.set(new Date(T0 + 7 * DAY - MIN));
  await app.services.people.tick();
  assert.equal((await notes(id)).length, 0, 'not before its time');

  clock.set(new Date(T0 + 7 * DAY + MIN));
  const r = await app.services.people.tick();
  assert.ok(r.fired >= 1);
  await app.services.people.tick();
  let n = await notes(id);
  assert.deepEqual(n.map((x) => x.recipient_id), [helperUserId], 'the helper is reminded once');
  const kp = await app.request('GET', `/api/people/key-persons/${id}`, { token: town });
  assert.equal(kp.body.visitOverdue, true);
  const overdueList = await app.request('GET', `/api/people/key-persons?overdue=true&areaCode=${VILLAGE}`, { token: town });
  assert.ok(overdueList.body.items.some((x: { id: string }) => x.id === id));

  clock.set(new Date(T0 + 10 * DAY + 2 * MIN));
  await app.services.people.tick();
  n = await notes(id);
  assert.equal(n.length, 2);
  assert.equal(n[1]!.recipient_id, townOfficerId, 'the town officer of 塘渡口镇 is told');
  assert.deepEqual((await auditOf(id)).filter((a) => a.startsWith('key_person.visit_')), ['key_person.visit_overdue', 'key_person.visit_escalated']);

  // The same moment again, and a new process on the same database: nothing fires twice.
  assert.equal((await app.services.people.tick()).fired, 0);
  const restarted = await createPlatform(app.config, { clock });
  try {
    assert.equal((await createServices(restarted).people.tick()).fired, 0);
  } finally {
    await restarted.db.close();
  }
  assert.equal((await notes(id)).length, 2);
});

test(`a visit done in time stops the ladder; the next cycle is due an interval later (${engine})`, async () => {
  clock.set(new Date(T0 + 20 * DAY));
  const id = await keyPerson('community_correction', 'attention');
  clock.set(new Date(T0 + 45 * DAY));
  const done = await app.request('POST', `/api/people/key-persons/${id}/records`, { token: town, body: { kind: 'visit' } });
  assert.equal(done.status, 201);
  assert.equal(done.body.records[0].onTime, true);
  clock.set(new Date(T0 + 20 * DAY + 30 * DAY + 4 * DAY));
  await app.services.people.tick();
  assert.equal((await notes(id)).length, 0, 'the old cycle was satisfied');
  clock.set(new Date(T0 + 45 * DAY + 30 * DAY + MIN));
  await app.services.people.tick();
  assert.equal((await notes(id)).length, 1, 'the new cycle falls due in its turn');
});

test(`a drug user's hair test falls due by its schedule; a late test counts as not on time (${engine})`, async () => {
  clock.set(new Date(T0 + 100 * DAY));
  const id = await keyPerson('drug_user', 'key');
  // Visits every 7 days are kept up; the test (every 30 days) is not.
  for (let d = 6; d < 40; d += 6) {
    clock.set(new Date(T0 + (100 + d) * DAY));
    await app.request('POST', `/api/people/key-persons/${id}/records`, { token: town, body: { kind: 'visit' } });
    await app.services.people.tick();
  }
  const n = await notes(id);
  assert.equal(n.length, 2, JSON.stringify(n));
  assert.ok(n.every((x) => x.dedupe_key!.includes(':test_')), 'only the test: the visits were on time');
  const late = await app.request('POST', `/api/people/key-persons/${id}/records`, { token: town, body: { kind: 'test', result: 'negative' } });
  assert.equal(late.body.records.find((r: { kind: string }) => r.kind === 'test').onTime, false);
  assert.equal(late.body.testOverdue, false);
});
