// Drowning prevention end to end, against the real server process (demo mode, the engine under test), with the
// loudspeakers online over MQTT as real terminals are:
//   (a) a camera sees a student at a key water area → the zone's loudspeakers say "水边危险，请速离开" within one
//       second → the snapshot's face is identified as an enrolled student → guardians and the class teacher are
//       notified and an automatic call is placed → nobody acknowledges → the alert escalates from town to county;
//   (b) an adult at the water is persuaded away: the operator types text that the loudspeakers speak, and closes
//       the alert with that outcome;
//   (c) a person in the water: the nearest available responder is dispatched and the "135" times are recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  alertOfZone,
  apiOf,
  connectSpeaker,
  createDevice,
  login,
  notificationsOf,
  sendEvent,
  square,
  until,
  userIdOf,
  WATER,
  type Api,
  type Device,
  type Speaker,
} from './warning.e2e.helpers.ts';

const WARNING_TEXT = '水边危险，请速离开';
let server: TestServer;
let api: Api;
let admin: string;
let op: string;
let camera: Device;
const speakers: Speaker[] = [];
let zoneId: string;

before(async () => {
  server = await startTestServer({ mqtt: true, env: { WARNING_TICK_MS: '200' } });
  api = apiOf(server);
  admin = await login(api, 'admin');
  op = await login(api, 'sy_operator');
  camera = await createDevice(api, admin, { code: 'E2E-CAM-1', name: '资江摄像机', kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  for (const n of [1, 2]) {
    const d = await createDevice(api, admin, { code: `E2E-SPK-${n}`, name: `资江喇叭${n}`, kind: 'loudspeaker', lon: WATER.lon + n * 0.0004, lat: WATER.lat });
    speakers.push(await connectSpeaker(server, d));
  }
  const grid = await userIdOf(api, admin, 'sy_grid');
  const zone = await api('POST', '/api/zones', op, {
    name: '资江塘渡口段', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat),
    speakerIds: speakers.map((s) => s.id),
    contacts: [{ role: 'keeper', name: '李护水', phone: '13900000101' }, { role: 'grid_worker', userId: grid }],
  });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  zoneId = zone.body.id;
  const rule = (body: unknown) => api('POST', '/api/rules', op, body).then((r) => assert.equal(r.status, 201, JSON.stringify(r.body)));
  await rule({
    name: '重点水域有人靠近', areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['person.near_water', 'face.captured'] },
      zone: { kinds: ['key_water'] },
      actions: [
        { type: 'broadcast', text: WARNING_TEXT, repeat: 3 },
        { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边', ladder: { start: 'town', steps: [{ tier: 'county', afterSeconds: 4 }], remindEverySeconds: null } },
        { type: 'notify', roles: ['keeper'], text: '{zone}有人靠近水边，请前往劝离（{alert}）' },
      ],
    },
  });
  await rule({
    name: '学生临水', areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['face.captured'] },
      zone: { kinds: ['key_water'] },
      identity: { classes: ['student'] },
      actions: [
        { type: 'raise_alert', severity: 'red', title: '学生出现在{zone}' },
        { type: 'notify', roles: ['guardians', 'class_teacher'], channel: 'sms', text: '【防溺水】{student}同学于{time}出现在{zone}附近，请立即联系确认安全。' },
        { type: 'call', roles: ['guardians'], text: '您的孩子{student}出现在{zone}附近，请立即联系确认安全。' },
      ],
    },
  });
  await rule({
    name: '人员落水', areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['person.in_water'] },
      zone: { kinds: ['key_water'] },
      actions: [
        { type: 'broadcast', text: '有人落水，请附近群众立即施救并拨打110', repeat: 3 },
        { type: 'raise_alert', severity: 'red', title: '{zone}有人落水', ladder: { start: 'county', steps: [{ tier: 'city', afterSeconds: 600 }], remindEverySeconds: null } },
        { type: 'dispatch', responderKinds: ['fast_response', 'keeper'] },
      ],
    },
  });
  const responder = await userIdOf(api, admin, 'sy_responder');
  for (const body of [
    { name: '远处快警', kind: 'fast_response', lon: WATER.lon + 0.04, lat: WATER.lat },
    { name: '塘渡口快警', kind: 'fast_response', lon: WATER.lon + 0.004, lat: WATER.lat, userId: responder },
  ]) {
    const r = await api('POST', '/api/responders', op, { areaCode: '430523100', ...body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

after(async () => {
  for (const s of speakers) await s.close().catch(() => {});
  await server?.dispose();
});

/** Commands received by every speaker since `since`, with the given text. */
function heard(text: string, since: number) {
  return speakers.map((s) => s.received.filter((m) => m.at >= since && m.params.text === text));
}

test(`(b) an adult at the water is persuaded away by the operator's voice (${engine})`, { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  await sendEvent(server, camera, { id: 'adult-1', kind: 'person.near_water' });
  await until('the warning on both loudspeakers', async () => heard(WARNING_TEXT, t0).every((h) => h.length === 1));
  const alert = await alertOfZone(api, op, zoneId);
  assert.equal(alert.tier, 'town');
  // The operator sees the alert and speaks to the man by typing.
  const words = '老人家，这里水深危险，请您马上离开';
  const t1 = Date.now();
  const spoke = await api('POST', `/api/alerts/${alert.id}/speak`, op, { text: words, repeat: 2 });
  assert.equal(spoke.status, 200, JSON.stringify(spoke.body));
  await until('the operator\'s words on both loudspeakers', async () => heard(words, t1).every((h) => h.length === 1));
  assert.deepEqual(speakers[0]!.received.at(-1)!.params, { text: words, repeat: 2 });
  const closed = await api('POST', `/api/alerts/${alert.id}/close`, op, { outcome: 'persuaded_away', note: '老人已离开水边' });
  assert.equal(closed.status, 200);
  assert.equal(closed.body.state, 'closed');
  assert.equal(closed.body.outcome, 'persuaded_away');
  const steps = closed.body.steps.map((s: { action: string; actorName: string }) => s.action);
  for (const a of ['raised', 'broadcast', 'acknowledged', 'speak', 'closed']) assert.ok(steps.includes(a), `${a} in ${steps.join()}`);
  // Acknowledged in time: the ladder stopped, no escalation even after its delay.
  await new Promise((r) => setTimeout(r, 4500));
  const later = await api('GET', `/api/alerts/${alert.id}`, op);
  assert.equal(later.body.tier, 'town');
  // The command was acknowledged by the loudspeaker (the device's side of the loop).
  const cmds = await api('GET', `/api/devices/${speakers[0]!.id}/commands`, op);
  assert.ok(cmds.body.items.some((c: { params: { text?: string }; status: string }) => c.params.text === words && c.status === 'acknowledged'), JSON.stringify(cmds.body.items.slice(0, 2)));
});

test(`(c) a person in the water: the nearest responder is dispatched and the 135 times recorded (${engine})`, { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  await sendEvent(server, camera, { id: 'water-1', kind: 'person.in_water' });
  await until('the alarm on the loudspeakers', async () => heard('有人落水，请附近群众立即施救并拨打110', t0).every((h) => h.length === 1));
  const alert = await until('the in-water alert', async () => {
    const r = await api('GET', '/api/alerts?state=dispatched', op);
    return r.body.items.find((a: { eventKind: string }) => a.eventKind === 'person.in_water');
  });
  assert.equal(alert.severity, 'red');
  const me = await login(api, 'sy_responder');
  const mine = await api('GET', '/api/dispatches/mine', me);
  assert.equal(mine.body.items.length, 1, 'the nearest available responder (塘渡口快警) has it');
  const d = mine.body.items[0];
  assert.equal(d.responderName, '塘渡口快警');
  assert.equal(Date.parse(d.answerDueAt) - Date.parse(d.dispatchedAt), 60_000);
  assert.equal(Date.parse(d.onSceneDueAt) - Date.parse(d.dispatchedAt), 300_000);
  const answered = await api('POST', `/api/dispatches/${d.id}/answer`, me);
  assert.equal(answered.status, 200);
  assert.ok(answered.body.answerSeconds <= 60);
  await new Promise((r) => setTimeout(r, 1100));
  const arrived = await api('POST', `/api/dispatches/${d.id}/arrive`, me);
  assert.equal(arrived.status, 200);
  assert.ok(arrived.body.onSceneSeconds >= 1 && arrived.body.onSceneSeconds <= 300, String(arrived.body.onSceneSeconds));
  assert.equal(arrived.body.answerOverdue, false);
  assert.equal(arrived.body.onSceneOverdue, false);
  const detail = (await api('GET', `/api/alerts/${alert.id}`, op)).body;
  assert.equal(detail.state, 'on_scene');
  assert.equal(detail.dispatches[0].answerSeconds, answered.body.answerSeconds);
  assert.equal(detail.dispatches[0].onSceneSeconds, arrived.body.onSceneSeconds);
  const closed = await api('POST', `/api/alerts/${alert.id}/close`, op, { outcome: 'rescued', note: '已救起' });
  assert.equal(closed.body.outcome, 'rescued');
});

test(`(a) a student at the water: warning within 1 s, identified, guardians and teacher notified, a call, escalation to the county (${engine})`, { timeout: 90_000 }, async (t) => {
  const students = await api('GET', '/api/students/schools', admin);
  if (students.status === 404) {
    t.skip('the student library is not wired into this build yet');
    return;
  }
  const feature = Array.from({ length: 1024 }, (_, i) => Math.sin(i + 1));
  const school = await api('POST', '/api/students/schools', admin, { name: '塘渡口镇中心小学', areaCode: '430523100' });
  assert.equal(school.status, 201, JSON.stringify(school.body));
  const teacher = await api('POST', '/api/students/teachers', admin, { schoolId: school.body.id, name: '王老师', phone: '13900000201' });
  assert.equal(teacher.status, 201, JSON.stringify(teacher.body));
  const cls = await api('POST', '/api/students/classes', admin, { schoolId: school.body.id, name: '五年级二班', grade: 5, teacherId: teacher.body.id });
  assert.equal(cls.status, 201, JSON.stringify(cls.body));
  const student = await api('POST', '/api/students', admin, {
    schoolId: school.body.id, classId: cls.body.id, name: '张小明', gender: 'male', birthYear: 2015,
    guardians: [{ name: '张大山', phone: '13900000301', relation: 'father', priority: 1 }, { name: '刘秀', phone: '13900000302', relation: 'mother', priority: 2 }],
  });
  assert.equal(student.status, 201, JSON.stringify(student.body));
  const enrol = await api('POST', `/api/students/${student.body.id}/faces`, admin, { feature });
  assert.equal(enrol.status, 201, JSON.stringify(enrol.body));

  const t0 = Date.now();
  await sendEvent(server, camera, { id: 'student-1', kind: 'face.captured', attributes: { faceFeature: feature.map((v) => Number((v * 1.01).toFixed(4))) } });
  await until('the warning on both loudspeakers', async () => heard(WARNING_TEXT, t0).every((h) => h.length === 1), 5_000);
  const latency = Math.max(...heard(WARNING_TEXT, t0).map((h) => h[0]!.at - t0));
  assert.ok(latency < 1000, `the loudspeakers were told within ${latency} ms of the event`);

  const alert = await until('the identified alert', async () => {
    const r = await api('GET', '/api/alerts?state=open', op);
    return r.body.items.find((a: { eventKind: string; match: unknown }) => a.eventKind === 'face.captured' && a.match);
  });
  assert.equal(alert.severity, 'red', 'the student rule raised it to red');
  assert.equal(alert.match.class, 'student');
  assert.equal(alert.match.personId, student.body.id);
  assert.equal(alert.match.nameMasked, '张*明');
  assert.ok(alert.match.score > 0.9);
  const notes = await until('guardians, teacher and the call in the outbox', async () => {
    const n = await notificationsOf(api, op, alert.id);
    return n.filter((x) => x.recipientKind === 'guardian').length >= 3 && n.some((x) => x.recipientKind === 'teacher') ? n : null;
  });
  const guardianSms = notes.filter((n) => n.recipientKind === 'guardian' && n.channel === 'sms');
  const calls = notes.filter((n) => n.kind === 'call');
  assert.equal(guardianSms.length, 2, 'both guardians by SMS');
  assert.ok(notes.some((n) => n.recipientKind === 'teacher' && n.channel === 'sms'), 'the class teacher');
  assert.equal(calls.length, 2, 'an automatic call to each guardian');
  assert.ok(calls.every((c) => c.channel === 'voice'));
  // Nobody acknowledges: after the ladder's delay the alert is the county's.
  const escalated = await until('the escalation to the county', async () => {
    const r = await api('GET', `/api/alerts/${alert.id}`, op);
    return r.body.tier === 'county' ? r.body : null;
  }, 15_000);
  assert.equal(escalated.tierAreaCode, '430523');
  const step = escalated.steps.find((s: { action: string }) => s.action === 'escalated');
  assert.deepEqual([step.detail.from, step.detail.to], ['town', 'county']);
  const me = (await api('GET', '/api/auth/me', op)).body.id;
  const county = (await notificationsOf(api, op, alert.id)).filter((n) => (n as { recipientId?: string }).recipientId === me);
  assert.ok(county.length >= 1, 'the county operator is told of the escalation');
});
