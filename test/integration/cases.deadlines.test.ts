// Deadlines with a moved clock: a reminder before the deadline, escalation up the levels when it passes, once
// only — not again on the next tick, not again after a restart, not twice when two nodes sweep at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { createPlatform, createServices } from '../../src/app.ts';
import type { DomainEvents } from '../../src/platform/bus.ts';
import { actions, openCase, setUpBaicang, type Baicang } from './cases.helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-05-22T02:00:00.000Z');
let app: TestApp;
let clock: FakeClock;
let bc: Baicang;
const heard: { name: string; payload: { id: string } }[] = [];

before(async () => {
  clock = new FakeClock(new Date(T0));
  app = await createTestApp({ clock, config: { sessionTtlHours: 24 * 365 } });
  bc = await setUpBaicang(app);
  for (const name of ['case.reminder', 'case.overdue', 'case.escalated'] as const satisfies readonly (keyof DomainEvents)[]) {
    app.platform.bus.on(name, (payload) => void heard.push({ name, payload }));
  }
  // The demo's own overdue cases fire now, out of the way of what follows.
  await app.services.cases.tick();
});
after(async () => app?.close());

async function read(id: string) {
  const res = await app.request('GET', `/api/cases/${id}`, { token: bc.operator });
  assert.equal(res.status, 200);
  return res.body;
}

const heardFor = (id: string, name: string) => heard.filter((h) => h.name === name && h.payload.id === id).length;

test(`a reminder three days before the deadline, then escalation to the county when it passes (${engine})`, async () => {
  clock.set(new Date(T0));
  const c = await openCase(app, bc.operator);
  assert.equal(c.deadlineAt, new Date(T0 + 30 * DAY).toISOString());

  clock.set(new Date(T0 + 27 * DAY - MIN));
  await app.services.cases.tick();
  assert.ok(!actions(await read(c.id)).includes('reminder'), 'not before its time');

  clock.set(new Date(T0 + 27 * DAY));
  await app.services.cases.tick();
  await app.services.cases.tick();
  await app.platform.bus.drain();
  let now = await read(c.id);
  assert.equal(actions(now).filter((a) => a === 'reminder').length, 1);
  assert.equal(now.events.find((e: { action: string }) => e.action === 'reminder').actorName, 'deadline-sweeper');
  assert.equal(heardFor(c.id, 'case.reminder'), 1);
  // The case's mediator is told through notify, once (two ticks, one notification), in Chinese with the local time.
  {
    assert.ok(now.mediatorId, 'the case was assigned to a mediator');
    const notes = await app.platform.db.kysely.selectFrom('notifications').selectAll().where('dedupe_key', 'like', `case:${c.id}:reminder:%`).execute();
    assert.ok(notes.length >= 1, 'the mediator has a reminder');
    assert.ok(notes.every((n) => n.recipient_kind === 'user' && n.recipient_id === bc.mediatorUserId), JSON.stringify(notes.map((n) => [n.recipient_kind, n.recipient_id])));
    assert.equal(new Set(notes.map((n) => n.channel_kind)).size, notes.length, 'one per channel, not repeated');
  }
  assert.equal(now.level, 'town');
  assert.equal(now.overdue, false);

  clock.set(new Date(T0 + 30 * DAY - MIN));
  await app.services.cases.tick();
  assert.equal((await read(c.id)).level, 'town', 'the deadline has not passed yet');

  clock.set(new Date(T0 + 30 * DAY + MIN));
  const r = await app.services.cases.tick();
  assert.ok(r.fired >= 1);
  await app.platform.bus.drain();
  now = await read(c.id);
  assert.deepEqual(actions(now).slice(-3), ['overdue', 'escalate', 'assign']);
  assert.equal(now.level, 'county');
  assert.equal(now.centreName, '邵阳县一站式矛盾纠纷调处化解中心');
  assert.equal(now.responsibleLeader, '王海涛（县委政法委书记）');
  assert.equal(now.wasOverdue, true);
  assert.equal(now.overdue, false, 'the county has a new deadline');
  assert.equal(now.deadlineAt, new Date(T0 + 30 * DAY + MIN + 15 * DAY).toISOString());
  assert.equal(now.state, 'assigned');
  assert.notEqual(now.mediatorId, bc.backpackId);
  assert.equal(now.events.find((e: { action: string }) => e.action === 'escalate').detail.reason, 'overdue');
  assert.equal(heardFor(c.id, 'case.overdue'), 1);
  assert.equal(heardFor(c.id, 'case.escalated'), 1);

  // The same moment again, and after a restart (a new process on the same database): nothing fires twice.
  await app.services.cases.tick();
  const restarted = await createPlatform(app.config, { clock });
  try {
    const r2 = await createServices(restarted).cases.tick();
    assert.equal(r2.fired, 0);
  } finally {
    await restarted.db.close();
  }
  assert.deepEqual(actions(await read(c.id)), actions(now));

  // The county's deadline passes too: up to the city, and from there nowhere further.
  clock.set(new Date(T0 + 46 * DAY));
  await app.services.cases.tick();
  now = await read(c.id);
  assert.equal(now.level, 'city');
  assert.equal(now.responsibleLeader, '刘志强（市委政法委副书记）');
  assert.equal(now.escalationCount, 2);
  clock.set(new Date(T0 + 80 * DAY));
  await app.services.cases.tick();
  now = await read(c.id);
  assert.equal(now.level, 'city');
  assert.equal(now.overdue, true);
  assert.equal(actions(now).at(-1), 'overdue');
  assert.equal(now.events.at(-1).detail.level, 'city');
  const pending = await app.platform.db.kysely
    .selectFrom('case_timers').select('id').where('case_id', '=', c.id).where('fired_at', 'is', null).where('cancelled_at', 'is', null).execute();
  assert.deepEqual(pending, []);
});

test(`two nodes sweeping at the same moment remind and escalate a case once (${engine})`, async () => {
  clock.set(new Date(T0 + 100 * DAY));
  const cases = [];
  for (let i = 0; i < 4; i++) cases.push(await openCase(app, bc.operator, { type: 'wages', title: '欠薪' }));
  const otherNode = await createPlatform(app.config, { clock });
  const other = createServices(otherNode);
  const both = async () => {
    const [a, b] = await Promise.all([app.services.cases.tick(), other.cases.tick()]);
    // A timer whose transaction lost a race is still due; the next sweep picks it up (and fires nothing twice).
    const c = await app.services.cases.tick();
    return a.fired + b.fired + c.fired;
  };
  try {
    clock.set(new Date(T0 + 112 * DAY)); // wages: 15 days, reminded 3 days before
    assert.ok((await both()) >= 4);
    clock.set(new Date(T0 + 116 * DAY));
    assert.ok((await both()) >= 4);
  } finally {
    await otherNode.db.close();
  }
  for (const c of cases) {
    const now = await read(c.id);
    assert.equal(actions(now).filter((x) => x === 'reminder').length, 1, now.code);
    assert.equal(actions(now).filter((x) => x === 'escalate').length, 1, now.code);
    assert.equal(actions(now).filter((x) => x === 'overdue').length, 1, now.code);
    assert.equal(now.level, 'county');
  }
});

test(`an extension moves the timers; a conclusion cancels them; a late conclusion still counts as overdue (${engine})`, async () => {
  clock.set(new Date(T0 + 200 * DAY));
  const ext = await openCase(app, bc.operator);
  const done = await openCase(app, bc.operator);
  const late = await openCase(app, bc.operator);
  for (const c of [ext, done, late]) {
    const s = await app.request('POST', `/api/cases/${c.id}/sign`, { token: bc.mediator });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }
  const extended = await app.request('POST', `/api/cases/${ext.id}/extend`, { token: bc.mediator, body: { days: 20, reason: '双方同意延长调解期限', partiesConsent: true } });
  assert.equal(extended.status, 200);
  const concluded = await app.request('POST', `/api/cases/${done.id}/conclude`, { token: bc.mediator, body: { outcome: 'agreement', note: '达成协议' } });
  assert.equal(concluded.status, 200);

  // Past the original deadline, without a sweep in between: the late conclusion is marked at once.
  clock.set(new Date(T0 + 231 * DAY));
  const lateDone = await app.request('POST', `/api/cases/${late.id}/conclude`, { token: bc.mediator, body: { outcome: 'court', note: '引导当事人诉讼' } });
  assert.equal(lateDone.status, 200);
  assert.equal(lateDone.body.wasOverdue, true);
  assert.equal(lateDone.body.events.at(-1).detail.late, true);

  await app.services.cases.tick();
  const e1 = await read(ext.id);
  assert.ok(!actions(e1).includes('overdue'), 'the extended deadline has not passed');
  assert.equal(e1.level, 'town');
  assert.ok(!actions(await read(done.id)).includes('overdue'));
  assert.ok(!actions(await read(late.id)).includes('escalate'));

  clock.set(new Date(T0 + 250 * DAY + MIN));
  await app.services.cases.tick();
  const e2 = await read(ext.id);
  assert.deepEqual(actions(e2).filter((a) => ['reminder', 'overdue', 'escalate'].includes(a)), ['reminder', 'overdue', 'escalate']);
  assert.equal(e2.level, 'county');
});
