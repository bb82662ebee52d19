// Several nodes, as an operator scales out: three server processes on one PostgreSQL schema, the NATS server
// (NATS_URL) and the external Mosquitto broker (MQTT_URL), each with its own SHIYU_NODE_ID, PORT and DATA_DIR and
// the same SHIYU_SECRET_KEY. Runs on PostgreSQL only (several processes on one SQLite file is not a deployment).
// Every wait polls for the positive signal; nothing asserts on wall-clock time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dropPostgresSchema } from '../../src/platform/db/database.ts';
import { digestAuthorization } from '../../src/modules/devices/gat1400/digest.ts';
import { demoFaceFeature } from '../../src/modules/students/students.demo.ts';
import { apiOf, createDevice, login, sendEvent, square, until, WATER, type Api, type Device } from './warning.e2e.helpers.ts';

const DB = process.env.DATABASE_URL;
const skip = DB ? false : 'several nodes need PostgreSQL (runs when DATABASE_URL is set)';
const run = crypto.randomBytes(4).toString('hex');
const schema = `m_${run}`;
const nodes: TestServer[] = [];
const apis: Api[] = [];
let admin: string;

before(async () => {
  if (!DB) return;
  const shared = {
    DATABASE_SCHEMA: schema,
    SHIYU_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    NATS_PREFIX: `e2e${run}`,
    MQTT_URL: process.env.MQTT_TEST_URL ?? 'mqtt://127.0.0.1:1883',
    MQTT_SHARE_GROUP: `e2e${run}`,
    MQTT_SESSION_EXPIRY_SECONDS: '5',
    WARNING_TICK_MS: '500',
  };
  // One after the other: the first seeds the demo city, the others find it there.
  for (const n of [1, 2, 3]) {
    const s = await startTestServer({ env: { ...shared, SHIYU_NODE_ID: `node-${n}` } });
    nodes.push(s);
    apis.push(apiOf(s));
  }
  admin = await login(apis[0]!, 'admin');
});
after(async () => {
  for (const s of nodes) await s.dispose();
  if (DB) await dropPostgresSchema(DB, schema);
});

test('each node names itself in /api/health', { skip }, async () => {
  for (const [i, api] of apis.entries()) {
    const h = await api('GET', '/api/health', null);
    assert.equal(h.body.node, `node-${i + 1}`);
  }
});

/** Opens the alert stream of a node and collects the alerts it pushes. */
function alertStream(server: TestServer, token: string): Promise<{ alerts: { id: string; zoneId: string }[]; close(): void }> {
  return new Promise((resolve, reject) => {
    const alerts: { id: string; zoneId: string }[] = [];
    let buf = '';
    const req = http.get(`${server.url}/api/alerts/stream`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith(': connected')) resolve({ alerts, close: () => req.destroy() });
          const m = /^event: alert\ndata: (.*)$/m.exec(block);
          if (m) alerts.push((JSON.parse(m[1]!) as { alert: { id: string; zoneId: string } }).alert);
        }
      });
    });
    req.on('error', reject);
  });
}

test('a rule enabled through node 1 takes effect on nodes 2 and 3; the console on node 3 sees the alert node 2 raised', { skip }, async () => {
  const op = await login(apis[0]!, 'sy_operator');
  const zones: { id: string; camera: Device }[] = [];
  for (const [i, dx] of [0, 0.01].entries()) {
    const at = { lon: WATER.lon + dx, lat: WATER.lat };
    const camera = await createDevice(apis[0]!, admin, { code: `M-${run}-CAM-${i}`, name: `多节点摄像机${i}`, kind: 'bullet_camera', ...at });
    const zone = await apis[0]!('POST', '/api/zones', op, { name: `多节点水域${i}`, kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(at.lon, at.lat), speakerIds: [], contacts: [] });
    assert.equal(zone.status, 201, JSON.stringify(zone.body));
    zones.push({ id: zone.body.id, camera });
  }
  const created = await apis[0]!('POST', '/api/rules', op, {
    name: '多节点规则', areaCode: '430523', enabled: false,
    definition: { trigger: { type: 'event', eventKinds: ['person.near_water'] }, zone: { kinds: ['key_water'] }, actions: [{ type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边' }] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const op3 = await login(apis[2]!, 'sy_operator');
  const stream = await alertStream(nodes[2]!, op3);
  try {
    const enabled = await apis[0]!('PATCH', `/api/rules/${created.body.id}`, op, { enabled: true });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    // Node 2 evaluates what it ingests for zone 0, node 3 for zone 1: an alert appears for each once the node has
    // loaded the enabled rule (events before that are stored and find no rule).
    let n = 0;
    const alertAt = async (api: Api, token: string, zoneId: string) =>
      ((await api('GET', '/api/alerts?state=open&pageSize=100', token)).body.items as { id: string; zoneId: string }[]).find((a) => a.zoneId === zoneId);
    const op2 = await login(apis[1]!, 'sy_operator');
    const a0 = await until('node 2 to raise an alert under the rule enabled through node 1', async () => {
      await sendEvent(nodes[1]!, zones[0]!.camera, { id: `m-${run}-${n++}`, kind: 'person.near_water', lon: WATER.lon, lat: WATER.lat });
      return alertAt(apis[1]!, op2, zones[0]!.id);
    });
    const a1 = await until('node 3 to raise an alert under the rule enabled through node 1', async () => {
      await sendEvent(nodes[2]!, zones[1]!.camera, { id: `m-${run}-${n++}`, kind: 'person.near_water', lon: WATER.lon + 0.01, lat: WATER.lat });
      return alertAt(apis[2]!, op3, zones[1]!.id);
    });
    assert.notEqual(a0.id, a1.id);
    // The console on node 3 was pushed the alert that node 2 raised.
    await until('the console on node 3 to show the alert raised on node 2', async () => stream.alerts.some((x) => x.id === a0.id));
  } finally {
    stream.close();
  }
});

test('an event published to the external broker is stored once, whichever node takes it', { skip }, async () => {
  const op = await login(apis[0]!, 'sy_operator');
  const d = await createDevice(apis[0]!, admin, { code: `M-${run}-MQ`, name: '多节点终端', kind: 'water_area_terminal' });
  // Every node subscribes to the group, so which node takes the message is the broker's choice.
  await new Promise<void>((resolve, reject) => {
    const p = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-V', 'mqttv5', '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', JSON.stringify({ id: `mq-${run}`, kind: 'person.near_water', time: new Date().toISOString() })]);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited with ${code}`))));
  });
  // The device's own online event is stored beside it; only the published event is counted.
  const ours = async () => {
    const r = await apis[1]!('GET', `/api/devices/${d.id}/events`, op);
    return r.status === 200 ? (r.body.items as { eventId: string }[]).filter((e) => e.eventId === `mq-${run}`) : [];
  };
  const stored = await until('the event published over MQTT to be stored', async () => ((await ours()).length > 0 ? ours() : null));
  assert.equal(stored.length, 1);
});

test('a GA/T 1400 Digest challenge from node 1 is answered on node 2; the replay on node 3 is refused', { skip }, async () => {
  const gbId = `430523000013200${run.slice(0, 5).replace(/[a-f]/g, '7')}`.slice(0, 20);
  const secret = `viid-${run}-secret`;
  const dev = await apis[0]!('POST', '/api/devices', admin, { code: `M-${run}-VIID`, gbId, name: '多节点抓拍机', subsystem: 'face_recognition', kind: 'face_camera', areaCode: '430523', lon: 111.27, lat: 26.99, secret });
  assert.equal(dev.status, 201, JSON.stringify(dev.body));
  const post = (s: TestServer, authorization?: string) =>
    fetch(`${s.url}/VIID/System/Register`, { method: 'POST', headers: { 'content-type': 'application/VIID+JSON', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ RegisterObject: { DeviceID: gbId } }) });
  const first = await post(nodes[0]!);
  assert.equal(first.status, 401);
  const challenge = first.headers.get('www-authenticate') ?? '';
  const header = digestAuthorization({ username: gbId, password: secret, method: 'POST', uri: '/VIID/System/Register', challenge, nc: 1 });
  const onTwo = await post(nodes[1]!, header);
  assert.equal(onTwo.status, 200, await onTwo.text());
  const replay = await post(nodes[2]!, header);
  assert.equal(replay.status, 401);
  assert.match(await replay.text(), /replay/);
});

test('a face enrolled through node 1 is found by a search through node 2', { skip }, async () => {
  const op1 = await login(apis[0]!, 'sy_operator');
  const op2 = await login(apis[1]!, 'sy_operator');
  const list = await apis[0]!('GET', '/api/students?pageSize=5', op1);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const student = list.body.items[0] as { id: string; areaCode: string };
  const feature = demoFaceFeature(`多节点-${run}`);
  const probe = demoFaceFeature(`多节点-${run}`, 0.3);
  const countyCode = student.areaCode.slice(0, 6);
  const identify = () => apis[1]!('POST', '/api/students/identify', op2, { countyCode, feature: probe });
  const before = await identify();
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.notEqual(before.body.match?.student?.id, student.id);
  const enrolled = await apis[0]!('POST', `/api/students/${student.id}/faces`, op1, { feature });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  await until('node 2 to find the face enrolled through node 1', async () => (await identify()).body.match?.student?.id === student.id);
});
