// Handling alerts through the API: a person in the water dispatches the nearest available responder with the
// "135" due times; late steps are flagged; the responder answers and arrives; an operator speaks through the
// zone's loudspeakers; attachments; the big screen's counts; identity rules when nobody can be identified.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.ts';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { commandsOf, createRule, event, ingest, userId, WATER, waterArea, type WaterSetup } from './warning.helpers.ts';

let app: TestApp;
let clock: FakeClock;
let admin: string;
let op: string;
let water: WaterSetup;

before(async () => {
  clock = new FakeClock(new Date());
  app = await createTestApp({ clock });
  admin = await app.login('admin');
  op = await app.login('sy_operator');
  water = await waterArea(app, admin);
  await createRule(app, op, {
    name: '人员落水',
    areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['person.in_water'] },
      zone: { kinds: ['key_water'] },
      actions: [
        { type: 'broadcast', text: '有人落水，请立即救援', repeat: 2 },
        { type: 'raise_alert', severity: 'red', title: '{zone}有人落水', ladder: { start: 'county', steps: [{ tier: 'city', afterSeconds: 600 }], remindEverySeconds: null } },
        { type: 'dispatch', responderKinds: ['fast_response', 'keeper'] },
      ],
    },
  });
  const responder = await userId(app, admin, 'sy_responder');
  const mk = async (body: Record<string, unknown>) => {
    const r = await app.request('POST', '/api/responders', { token: op, body: { areaCode: '430523100', ...body } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  await mk({ name: '远处快警', kind: 'fast_response', lon: WATER.lon + 0.05, lat: WATER.lat });
  await mk({ name: '近处快警', kind: 'fast_response', lon: WATER.lon + 0.003, lat: WATER.lat, userId: responder });
  await mk({ name: '休息中', kind: 'fast_response', lon: WATER.lon + 0.001, lat: WATER.lat, available: false });
  await mk({ name: '消防员', kind: 'fire_brigade', lon: WATER.lon, lat: WATER.lat, phone: '13900000119' });
});
after(async () => app?.close());

test(`a person in the water: the nearest available responder is dispatched with the 135 due times (${engine})`, async () => {
  await ingest(app, water.camera.secret, [event('person.in_water')]);
  const [alert] = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  assert.equal(alert.state, 'dispatched');
  assert.equal(alert.severity, 'red');
  const d = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  assert.equal(d.dispatches.length, 1);
  const dispatch = d.dispatches[0];
  assert.equal(dispatch.responderName, '近处快警');
  assert.ok(dispatch.distanceM > 250 && dispatch.distanceM < 350, String(dispatch.distanceM));
  assert.equal(Date.parse(dispatch.answerDueAt) - Date.parse(dispatch.dispatchedAt), 60_000);
  assert.equal(Date.parse(dispatch.onSceneDueAt) - Date.parse(dispatch.dispatchedAt), 300_000, '邵阳县 is not the core city: 5 minutes');
  // The responder sees it on the phone and answers within the minute.
  const me = await app.login('sy_responder');
  const mine = await app.request('GET', '/api/dispatches/mine', { token: me });
  assert.deepEqual(mine.body.items.map((x: { id: string }) => x.id), [dispatch.id]);
  clock.advance(40_000);
  const answered = await app.request('POST', `/api/dispatches/${dispatch.id}/answer`, { token: me });
  assert.equal(answered.status, 200);
  assert.equal(answered.body.answerSeconds, 40);
  assert.equal(answered.body.answerOverdue, false);
  // … but is late on scene: the timer flags it, once.
  clock.advance(270_000);
  await app.services.warning.sweeper.tick();
  const late = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  assert.equal(late.overdue, true);
  assert.equal(late.dispatches[0].onSceneOverdue, true);
  assert.equal(late.dispatches[0].answerOverdue, false);
  assert.equal(late.steps.filter((s: { action: string }) => s.action === 'overdue').length, 1);
  clock.advance(30_000);
  const arrived = await app.request('POST', `/api/dispatches/${dispatch.id}/arrive`, { token: me });
  assert.equal(arrived.body.onSceneSeconds, 340);
  assert.equal(arrived.body.state, 'on_scene');
  const onScene = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  assert.equal(onScene.state, 'on_scene');
  assert.ok(onScene.onSceneAt);
  const closed = await app.request('POST', `/api/alerts/${alert.id}/close`, { token: op, body: { outcome: 'rescued', note: '已救起，送医' } });
  assert.equal(closed.body.state, 'closed');
  assert.equal(closed.body.outcome, 'rescued');
});

test(`an operator dispatches by hand; nobody available is said plainly; a busy responder is not sent twice (${engine})`, async () => {
  await ingest(app, water.camera.secret, [event('person.in_water')]);
  const [alert] = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  const d = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  const busy = d.dispatches[0].responderId;
  const again = await app.request('POST', `/api/alerts/${alert.id}/dispatch`, { token: op, body: { responderId: busy } });
  assert.equal(again.status, 422);
  assert.equal(again.body.error.code, 'responder.busy');
  const fire = await app.request('POST', `/api/alerts/${alert.id}/dispatch`, { token: op, body: { kinds: ['fire_brigade'] } });
  assert.equal(fire.status, 200);
  assert.equal(fire.body.dispatches.length, 2);
  const none = await app.request('POST', `/api/alerts/${alert.id}/dispatch`, { token: op, body: { kinds: ['medical'] } });
  assert.equal(none.status, 422);
  assert.equal(none.body.error.code, 'dispatch.nobody_available');
  // The answer minute passes for the fire brigade (no app): flagged overdue.
  clock.advance(61_000);
  await app.services.warning.sweeper.tick();
  const after = (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  const fb = after.dispatches.find((x: { responderKind: string }) => x.responderKind === 'fire_brigade');
  assert.equal(fb.answerOverdue, true);
  // The operator reports everyone on scene; the open dispatches arrive with it.
  const os = await app.request('POST', `/api/alerts/${alert.id}/on-scene`, { token: op });
  assert.equal(os.body.state, 'on_scene');
  assert.ok(os.body.dispatches.every((x: { state: string }) => x.state === 'on_scene'));
  await app.request('POST', `/api/alerts/${alert.id}/close`, { token: op, body: { outcome: 'false_alarm' } });
});

test(`an operator speaks through the zone's loudspeakers by typing text, attaches a photo, closes (${engine})`, async () => {
  await app.request('POST', '/api/rules', {
    token: op,
    body: { name: '靠近水边', areaCode: '430523', definition: { trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { kinds: ['key_water'] }, actions: [{ type: 'raise_alert', severity: 'yellow', title: '{zone}有人靠近' }] } },
  });
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const [alert] = (await app.request('GET', '/api/alerts?state=raised', { token: op })).body.items;
  const before = (await commandsOf(app, water.speakers.map((s) => s.id))).length;
  const spoke = await app.request('POST', `/api/alerts/${alert.id}/speak`, { token: op, body: { text: '老人家，水边危险，请您马上离开', repeat: 2 } });
  assert.equal(spoke.status, 200, JSON.stringify(spoke.body));
  assert.equal(spoke.body.state, 'acknowledged', 'speaking takes the alert');
  const cmds = await commandsOf(app, water.speakers.map((s) => s.id));
  assert.equal(cmds.length, before + 2);
  assert.deepEqual(JSON.parse(cmds.at(-1)!.params), { text: '老人家，水边危险，请您马上离开', repeat: 2 });
  assert.equal(cmds.at(-1)!.created_by, 'sy_operator');
  const stray = await app.request('POST', `/api/alerts/${alert.id}/speak`, { token: op, body: { text: 'x', deviceIds: [water.camera.id] } });
  assert.equal(stray.status, 400);
  const photo = Buffer.from('fake jpeg bytes').toString('base64');
  const att = await app.request('POST', `/api/alerts/${alert.id}/attachments`, { token: op, body: { name: '现场.jpg', contentType: 'image/jpeg', data: photo } });
  assert.equal(att.status, 200);
  const file = await app.request('GET', `/api/alerts/${alert.id}/attachments/${att.body.attachments[0].id}`, { token: op });
  assert.equal(file.status, 200);
  assert.equal(file.headers['content-type'], 'image/jpeg');
  const closed = await app.request('POST', `/api/alerts/${alert.id}/close`, { token: op, body: { outcome: 'persuaded_away' } });
  assert.equal(closed.body.outcome, 'persuaded_away');
  const speakStep = closed.body.steps.find((s: { action: string }) => s.action === 'speak');
  assert.equal(speakStep.detail.text, '老人家，水边危险，请您马上离开');
  assert.equal(speakStep.actorName, '邵阳县平台值班员');
  const afterClose = await app.request('POST', `/api/alerts/${alert.id}/speak`, { token: op, body: { text: 'x' } });
  assert.equal(afterClose.status, 422);
});

test(`the big screen's counts: today by county and subsystem, in scope (${engine})`, async () => {
  const commander = await app.login('commander');
  const city = (await app.request('GET', '/api/alerts/stats', { token: commander })).body;
  assert.ok(city.total >= 3);
  assert.deepEqual(city.byCounty.map((c: { code: string }) => c.code), ['430523']);
  assert.equal(city.byCounty[0].name, '邵阳县');
  assert.equal(city.bySubsystem[0].subsystem, 'smart_water');
  assert.ok(city.latest.length >= 3);
  const lh = await app.login('lh_operator');
  const other = (await app.request('GET', '/api/alerts/stats', { token: lh })).body;
  assert.equal(other.total, 0);
  assert.deepEqual(other.latest, []);
});

test(`identity rules: with no face library match the person is "unknown" and student-only actions wait (${engine})`, async () => {
  const id = await createRule(app, op, {
    name: '学生临水',
    areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['face.captured'] },
      zone: { kinds: ['key_water'] },
      identity: { classes: ['student'] },
      actions: [{ type: 'raise_alert', severity: 'red', title: '学生临水' }],
    },
  });
  const unknown = await createRule(app, op, {
    name: '陌生人临水',
    areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['face.captured'] },
      zone: { kinds: ['key_water'] },
      identity: { classes: ['unknown'] },
      actions: [{ type: 'raise_alert', severity: 'blue', title: '未识别人员临水' }],
    },
  });
  await ingest(app, water.camera.secret, [event('face.captured')]);
  const byRule = async (r: string) => app.platform.db.kysely.selectFrom('alerts').selectAll().where('rule_id', '=', r).execute();
  assert.equal((await byRule(id)).length, 0);
  assert.equal((await byRule(unknown)).length, 1);
});
