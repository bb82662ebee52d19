// An accepted event is never lost. The real server process is killed with SIGKILL after an event was stored (the
// ingest answered 200) but before the rule engine evaluated it; after the restart the event is evaluated, once.
// Every start evaluates again the stored events after the saved position (docs/warning.md, "Recovery"), so the same
// events are evaluated twice and more here, and nothing happens twice: one alert, one SMS to the keeper, one
// loudspeaker command, one 'raised' and one 'broadcast' step; a sliding window neither fires again nor counts an
// event twice.
//   SHIYU_TEST_EVAL_DELAY_MS: the engine waits before evaluating each event, so that the kill lands before it.
//   WARNING_REPLAY_LAG_MS: the saved position stays 10 minutes behind, so that every restart evaluates again all
//   the events of this file (the case to prove harmless).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, createDevice, login, notificationsOf, sendEvent, square, until, WATER, type Api, type Device } from './warning.e2e.helpers.ts';

const DELAY_MS = 2500;
const NEAR = '恢复测试水域有人靠近';
const REPEATED = '恢复测试水域反复闯入';

let server: TestServer;
let api: Api;
let op: string;
let admin: string;
let camera: Device;
let speaker: Device;

before(async () => {
  server = await startTestServer({
    env: { SHIYU_TEST_EVAL_DELAY_MS: String(DELAY_MS), WARNING_REPLAY_LAG_MS: '600000', LOG_LEVEL: 'info', WARNING_TICK_MS: '200', NOTIFY_POLL_MS: '200' },
  });
  api = apiOf(server);
  admin = await login(api, 'admin');
  op = await login(api, 'sy_operator');
  camera = await createDevice(api, admin, { code: 'E2E-REC-CAM', name: '恢复测试摄像机', kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  speaker = await createDevice(api, admin, { code: 'E2E-REC-SPK', name: '恢复测试喇叭', kind: 'loudspeaker', lon: WATER.lon, lat: WATER.lat });
  const zone = await api('POST', '/api/zones', op, {
    name: '恢复测试水域', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat), speakerIds: [speaker.id],
    contacts: [{ role: 'keeper', name: '钱护水', phone: '13900000601' }],
  });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  const noLadder = { start: 'town', steps: [], remindEverySeconds: null };
  const rules = [
    {
      name: '靠近水边（恢复）', areaCode: '430523',
      definition: {
        trigger: { type: 'event', eventKinds: ['person.near_water'] },
        zone: { ids: [zone.body.id] },
        actions: [
          { type: 'broadcast', text: '水边危险，请速离开', repeat: 2 },
          { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近', ladder: noLadder },
          { type: 'notify', roles: ['keeper'], channel: 'sms', text: '{zone}有人靠近水边（{alert}）' },
        ],
      },
    },
    {
      name: '反复闯入（恢复）', areaCode: '430523',
      definition: {
        trigger: { type: 'event', eventKinds: ['intrusion'] },
        zone: { ids: [zone.body.id] },
        count: { threshold: 3, windowSeconds: 3600, per: 'zone' },
        actions: [{ type: 'raise_alert', severity: 'yellow', title: '{zone}反复闯入', ladder: noLadder }],
      },
    },
  ];
  for (const r of rules) {
    const res = await api('POST', '/api/rules', op, r);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
});

after(async () => server?.dispose());

async function alertsTitled(title: string) {
  const r = await api('GET', '/api/alerts?pageSize=200', op);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.filter((a: { title: string }) => a.title === title) as { id: string }[];
}

/** SIGKILL, start again, and wait until the start has evaluated the stored events again; answers how many. */
async function crashAndRecover(): Promise<number> {
  await server.kill();
  const mark = server.output().length;
  await server.restart();
  op = await login(api, 'sy_operator');
  admin = await login(api, 'admin');
  const line = await until('the stored events evaluated again', async () => /rule evaluation recovered: (\d+) stored events/.exec(server.output().slice(mark)), 60_000);
  return Number(line[1]);
}

/** What one near-water event left behind: its alerts, the keeper's SMS, the loudspeaker's commands, the timeline. */
async function traces() {
  const alerts = await alertsTitled(NEAR);
  const notes = alerts.length === 1 ? await notificationsOf(api, op, alerts[0]!.id) : [];
  const commands = await api('GET', `/api/devices/${speaker.id}/commands?limit=100`, admin);
  assert.equal(commands.status, 200, JSON.stringify(commands.body));
  const steps = alerts.length === 1 ? (await api('GET', `/api/alerts/${alerts[0]!.id}`, op)).body.steps.map((s: { action: string }) => s.action) : [];
  return {
    alerts: alerts.length,
    keeperSms: notes.filter((n) => (n as { address?: string }).address === '139****0601' && n.channel === 'sms').length,
    commands: commands.body.items.filter((c: { type: string }) => c.type === 'broadcast.text').length,
    raised: steps.filter((a: string) => a === 'raised').length,
    broadcast: steps.filter((a: string) => a === 'broadcast').length,
  };
}

test(`an event stored but not evaluated when the process is killed is evaluated after the restart, once (${engine})`, { timeout: 240_000 }, async () => {
  await sendEvent(server, camera, { id: 'near-1', kind: 'person.near_water' });
  // Acknowledged (stored), and the engine is still waiting: kill it now.
  assert.equal((await alertsTitled(NEAR)).length, 0, 'not evaluated before the kill');
  const n = await crashAndRecover();
  assert.ok(n >= 1, `the stored event is evaluated again (${n})`);
  await until('the alert of the event stored before the kill', async () => (await alertsTitled(NEAR)).length > 0, 30_000);
  const once = { alerts: 1, keeperSms: 1, commands: 1, raised: 1, broadcast: 1 };
  await until('the keeper told and the broadcast recorded', async () => {
    const t = await traces();
    return t.keeperSms > 0 && t.broadcast > 0;
  });
  assert.deepEqual(await traces(), once);

  // Killed again, long after the evaluation: the restart evaluates the event again, and nothing happens twice.
  const again = await crashAndRecover();
  assert.ok(again >= 1, `evaluated again (${again})`);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await traces(), once);
});

test(`a sliding window: an event killed before its evaluation still fires it after the restart; events evaluated again neither fire it nor count twice (${engine})`, { timeout: 240_000 }, async () => {
  const evaluated = () => new Promise((r) => setTimeout(r, DELAY_MS + 1500));
  await sendEvent(server, camera, { id: 'in-1', kind: 'intrusion' });
  await sendEvent(server, camera, { id: 'in-2', kind: 'intrusion' });
  await evaluated();
  await sendEvent(server, camera, { id: 'in-3', kind: 'intrusion' });
  assert.equal((await alertsTitled(REPEATED)).length, 0);
  await crashAndRecover();
  await until('the third intrusion fires the window after the restart', async () => (await alertsTitled(REPEATED)).length > 0, 30_000);
  assert.equal((await alertsTitled(REPEATED)).length, 1);

  // in-4 starts the next window. After a restart in-1 … in-4 are evaluated again: they were counted (in-1 … in-3
  // fired the first window), so nothing fires, and in-4 still counts once.
  await sendEvent(server, camera, { id: 'in-4', kind: 'intrusion' });
  await evaluated();
  const n = await crashAndRecover();
  assert.ok(n >= 5, `near-1 and in-1 … in-4 are evaluated again (${n})`);
  assert.equal((await alertsTitled(REPEATED)).length, 1, 'no second alert from events evaluated again');
  await sendEvent(server, camera, { id: 'in-5', kind: 'intrusion' });
  await evaluated();
  assert.equal((await alertsTitled(REPEATED)).length, 1, 'in-4 and in-5 make two');
  await sendEvent(server, camera, { id: 'in-6', kind: 'intrusion' });
  await until('the third of the second window fires', async () => (await alertsTitled(REPEATED)).length === 2, 30_000);
});
