// Restarts do not lose or repeat early-warning work. The real server process is killed with SIGKILL (no shutdown
// code runs) and started again on the same data:
//   - a sliding window's count survives: two intrusions before the kill and one after make three;
//   - a ladder timer that fell due while the server was down fires once after the restart, not twice;
//   - the outbox delivers every notification once: the local sink has one delivery per notification.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, createDevice, login, notificationsOf, sendEvent, square, until, WATER, type Api, type Device } from './warning.e2e.helpers.ts';

let server: TestServer;
let api: Api;
let op: string;
let camera: Device;

before(async () => {
  // A notification being sent when the process is killed stays leased to the dead process; a short lease lets the
  // restarted one take it again within the test's wait (the sink takes each notification once, as a gateway with an
  // idempotency key does).
  server = await startTestServer({ env: { WARNING_TICK_MS: '200', NOTIFY_POLL_MS: '200', NOTIFY_LEASE_SECONDS: '3' } });
  api = apiOf(server);
  const admin = await login(api, 'admin');
  op = await login(api, 'sy_operator');
  camera = await createDevice(api, admin, { code: 'E2E-RST-CAM', name: '重启测试摄像机', kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  const zone = await api('POST', '/api/zones', op, {
    name: '重启测试水域', kind: 'key_water', riskLevel: 3, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat),
    contacts: [{ role: 'keeper', name: '赵护水', phone: '13900000501' }],
  });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  const rules = [
    {
      name: '反复闯入', areaCode: '430523',
      definition: {
        trigger: { type: 'event', eventKinds: ['intrusion'] },
        zone: { kinds: ['key_water'] },
        count: { threshold: 3, windowSeconds: 3600, per: 'zone' },
        actions: [{ type: 'raise_alert', severity: 'yellow', title: '{zone}反复闯入', ladder: { start: 'town', steps: [], remindEverySeconds: null } }],
      },
    },
    {
      name: '靠近水边（重启）', areaCode: '430523',
      definition: {
        trigger: { type: 'event', eventKinds: ['person.near_water'] },
        zone: { kinds: ['key_water'] },
        actions: [
          { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近', ladder: { start: 'town', steps: [{ tier: 'county', afterSeconds: 6 }], remindEverySeconds: null } },
          { type: 'notify', roles: ['keeper'], channel: 'sms', text: '{zone}有人靠近水边（{alert}）' },
        ],
      },
    },
  ];
  for (const r of rules) {
    const res = await api('POST', '/api/rules', op, r);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
});

after(async () => server?.dispose());

async function alertsOfRule(title: string) {
  const r = await api('GET', '/api/alerts?pageSize=200', op);
  return r.body.items.filter((a: { title: string }) => a.title === title);
}

test(`a sliding window's count survives SIGKILL (${engine})`, { timeout: 120_000 }, async () => {
  await sendEvent(server, camera, { id: 'in-1', kind: 'intrusion' });
  await sendEvent(server, camera, { id: 'in-2', kind: 'intrusion' });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await alertsOfRule('重启测试水域反复闯入')).length, 0);
  await server.kill();
  await server.restart();
  op = await login(api, 'sy_operator');
  await sendEvent(server, camera, { id: 'in-3', kind: 'intrusion' });
  const fired = await until('the third intrusion fires the rule', async () => {
    const a = await alertsOfRule('重启测试水域反复闯入');
    return a.length ? a : null;
  });
  assert.equal(fired.length, 1);
});

test(`a ladder timer due while the server was down fires once after the restart; the outbox delivers once (${engine})`, { timeout: 120_000 }, async () => {
  await sendEvent(server, camera, { id: 'near-1', kind: 'person.near_water' });
  const alert = await until('the alert', async () => (await alertsOfRule('重启测试水域有人靠近'))[0]);
  await until('the keeper\'s SMS queued', async () => (await notificationsOf(api, op, alert.id)).some((n) => n.channel === 'sms'));
  await server.kill();
  await new Promise((r) => setTimeout(r, 7000)); // the escalation falls due while nobody is running
  await server.restart();
  op = await login(api, 'sy_operator');
  const escalated = await until('the escalation after the restart', async () => {
    const r = await api('GET', `/api/alerts/${alert.id}`, op);
    return r.body.tier === 'county' ? r.body : null;
  }, 20_000);
  // Kill it again right after, and restart: nothing fires a second time.
  await server.kill();
  await server.restart();
  op = await login(api, 'sy_operator');
  await new Promise((r) => setTimeout(r, 1500));
  const after = (await api('GET', `/api/alerts/${alert.id}`, op)).body;
  assert.equal(after.steps.filter((s: { action: string }) => s.action === 'escalated').length, 1, 'escalated once');
  assert.equal(escalated.timers.filter((t: { kind: string; status: string }) => t.kind === 'escalate' && t.status === 'done').length, 1);
  const notes = await notificationsOf(api, op, alert.id);
  const keys = notes.map((n) => `${n.recipientKind}:${(n as { recipientId?: string }).recipientId ?? (n as { address?: string }).address}:${n.channel}:${n.kind}:${(n as { subject?: string }).subject ?? ''}`);
  const keeper = notes.filter((n) => (n as { address?: string }).address === '139****0501');
  assert.equal(keeper.length, 1, 'the keeper is told once');
  // Every notification of the alert is delivered, and delivered once.
  await until('all delivered', async () => (await notificationsOf(api, op, alert.id)).every((n) => n.state === 'delivered'), 20_000);
  const sink = await api('GET', '/api/notify/sink?limit=500', op);
  const ids = new Set(notes.map((n) => n.id));
  const deliveries = sink.body.items.filter((s: { notificationId: string }) => ids.has(s.notificationId));
  assert.equal(deliveries.length, new Set(deliveries.map((s: { notificationId: string }) => s.notificationId)).size, 'no notification delivered twice');
  assert.ok(keys.length >= 2);
});
