// The engine through the real app: an event at a key water area → loudspeaker commands, an alert at the town,
// notifications in the outbox traced to the alert and the rule; the ladder escalates to the county when nobody
// acknowledges, reminds meanwhile, and never fires a timer twice; a re-delivered event changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.ts';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { commandsOf, createRule, event, ingest, nearWaterRule, notificationsOf, settle, waterArea, type WaterSetup } from './warning.helpers.ts';

let app: TestApp;
let clock: FakeClock;
let admin: string;
let water: WaterSetup;
let ruleId: string;

before(async () => {
  clock = new FakeClock(new Date());
  app = await createTestApp({ clock });
  admin = await app.login('admin');
  water = await waterArea(app, admin);
  ruleId = await createRule(app, admin, nearWaterRule());
});
after(async () => app?.close());

test(`an event at a key water area: broadcast, alert at the town, notifications traced to alert and rule (${engine})`, async () => {
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const commands = await commandsOf(app, water.speakers.map((s) => s.id));
  assert.equal(commands.length, 2);
  for (const c of commands) {
    assert.equal(c.type, 'broadcast.text');
    assert.deepEqual(JSON.parse(c.params), { text: '水边危险，请速离开', repeat: 3 });
  }
  const op = await app.login('sy_operator');
  const list = await app.request('GET', '/api/alerts?state=open', { token: op });
  assert.equal(list.status, 200);
  assert.equal(list.body.total, 1);
  const alert = list.body.items[0];
  assert.equal(alert.state, 'raised');
  assert.equal(alert.severity, 'orange');
  assert.equal(alert.tier, 'town');
  assert.equal(alert.tierAreaCode, '430523100');
  assert.equal(alert.title, '资江塘渡口段有人靠近水边');
  assert.match(alert.code, /^YJ430523-\d{8}-0001$/);
  const notes = await notificationsOf(app, alert.id);
  // The keeper (SMS to a phone), the grid worker (a user), the town's duty officer (in-app).
  const kinds = notes.map((n) => `${n.recipient_kind}:${n.channel_kind}`).sort();
  assert.ok(kinds.includes('address:sms'), kinds.join());
  assert.ok(notes.some((n) => n.recipient_kind === 'user' && n.channel_kind === 'inapp'));
  assert.ok(notes.every((n) => n.alert_id === alert.id));
  assert.ok(notes.filter((n) => n.recipient_kind === 'address').every((n) => n.rule_id === ruleId));
  const detail = await app.request('GET', `/api/alerts/${alert.id}`, { token: op });
  assert.deepEqual(detail.body.steps.map((s: { action: string }) => s.action).filter((a: string) => a !== 'notified'), ['raised', 'broadcast']);
  assert.equal(detail.body.speakers.length, 2);
  // Another county's operator does not see it.
  const lh = await app.login('lh_operator');
  assert.equal((await app.request('GET', `/api/alerts/${alert.id}`, { token: lh })).status, 404);
  assert.equal((await app.request('GET', '/api/alerts', { token: lh })).body.total, 0);
});

test(`nobody acknowledges: reminders, then the town → county escalation, each timer once (${engine})`, async () => {
  const op = await app.login('sy_operator');
  const [alert] = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  const before = (await notificationsOf(app, alert.id)).length;
  clock.advance(61_000);
  let r = await app.services.warning.sweeper.tick();
  assert.equal(r.timers, 1, 'the first reminder');
  clock.advance(120_000);
  r = await app.services.warning.sweeper.tick();
  // One reminder (the next counts from the last, not from the start: no burst after a pause) and the escalation.
  assert.equal(r.timers, 2, 'a reminder and the escalation to the county');
  const a = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  assert.equal(a.tier, 'county');
  assert.equal(a.tierAreaCode, '430523');
  const escalated = a.steps.filter((s: { action: string }) => s.action === 'escalated');
  assert.equal(escalated.length, 1);
  assert.deepEqual({ from: escalated[0].detail.from, to: escalated[0].detail.to }, { from: 'town', to: 'county' });
  const notes = await notificationsOf(app, alert.id);
  assert.ok(notes.length > before);
  const opUser = (await app.request('GET', '/api/auth/me', { token: op })).body.id;
  assert.ok(notes.some((n) => n.recipient_id === opUser), 'the county operator is told');
  // Ticking again at the same time does nothing more: every due timer has been claimed.
  const count = notes.length;
  assert.equal((await app.services.warning.sweeper.tick()).timers, 0);
  assert.equal((await notificationsOf(app, alert.id)).length, count);
});

test(`acknowledging stops the ladder; handling steps record who and when; closing needs an outcome (${engine})`, async () => {
  const op = await app.login('sy_operator');
  const [alert] = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  const ack = await app.request('POST', `/api/alerts/${alert.id}/acknowledge`, { token: op, body: { note: '已查看视频' } });
  assert.equal(ack.status, 200);
  assert.equal(ack.body.state, 'acknowledged');
  assert.equal(ack.body.acknowledgedBy, 'sy_operator');
  assert.ok(ack.body.timers.filter((t: { kind: string; status: string }) => ['escalate', 'remind'].includes(t.kind)).every((t: { status: string }) => t.status !== 'pending'));
  const again = await app.request('POST', `/api/alerts/${alert.id}/acknowledge`, { token: op, body: {} });
  assert.equal(again.status, 422);
  assert.equal(again.body.error.code, 'alert.invalid_state');
  clock.advance(3600_000);
  await app.services.warning.sweeper.tick();
  const after = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  assert.equal(after.tier, 'county', 'no escalation to the city after acknowledgement');
  const bad = await app.request('POST', `/api/alerts/${alert.id}/close`, { token: op, body: { outcome: 'gone' } });
  assert.equal(bad.status, 400);
  const comment = await app.request('POST', `/api/alerts/${alert.id}/comments`, { token: op, body: { text: '护水员已到场' } });
  assert.equal(comment.status, 200);
  const closed = await app.request('POST', `/api/alerts/${alert.id}/close`, { token: op, body: { outcome: 'persuaded_away', note: '已劝离' } });
  assert.equal(closed.status, 200);
  assert.equal(closed.body.state, 'closed');
  assert.equal(closed.body.outcome, 'persuaded_away');
  assert.equal(closed.body.closedBy, 'sy_operator');
  const actions = closed.body.steps.map((s: { action: string; actorName: string }) => `${s.action}:${s.actorName}`);
  assert.ok(actions.includes('acknowledged:邵阳县平台值班员'), actions.join());
  assert.ok(actions.includes('comment:邵阳县平台值班员'));
  assert.ok(actions.includes('closed:邵阳县平台值班员'));
});

test(`a re-delivered event does not fire the rule again (${engine})`, async () => {
  const e = event('person.near_water');
  await ingest(app, water.camera.secret, [e]);
  const stored = await app.platform.db.kysely.selectFrom('device_events').selectAll().where('event_id', '=', String(e.id)).executeTakeFirstOrThrow();
  const alerts = () => app.platform.db.kysely.selectFrom('alerts').select('id').execute();
  const n = (await alerts()).length;
  const firings = await app.platform.db.kysely.selectFrom('rule_firings').selectAll().where('rule_id', '=', ruleId).execute();
  // The bus delivers the same stored event again (a second node, a replay): the firing is claimed already.
  app.platform.bus.emit('device.event', {
    id: stored.id, deviceId: stored.device_id, deviceCode: water.camera.code, deviceKind: 'bullet_camera', eventId: stored.event_id, kind: stored.kind,
    occurredAt: stored.occurred_at, receivedAt: stored.received_at, areaCode: stored.area_code, subsystem: stored.subsystem, lon: stored.lon, lat: stored.lat,
    zones: [], attributes: {}, snapshotIds: [], source: 'http',
  });
  await settle(app);
  assert.equal((await alerts()).length, n);
  assert.equal((await app.platform.db.kysely.selectFrom('rule_firings').selectAll().where('rule_id', '=', ruleId).execute()).length, firings.length);
});
