// "Accept means durable": a real server process takes events over HTTP and MQTT (QoS 1) from concurrent clients,
// is killed with SIGKILL in the middle of the run, and after the restart every event that had been acknowledged
// (HTTP 200, PUBACK) is in the database. Runs on the engine under test (DATABASE_URL for PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { apiOf, startTestServer, type Api, type TestServer } from '../helpers/server.ts';
import { engine } from '../helpers/app.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({ mqtt: true });
});
after(async () => server?.dispose());

const api: Api = (...args) => apiOf(server)(...args);

test(`every acknowledged event survives SIGKILL (${engine})`, { timeout: 180_000 }, async () => {
  const login = await api('POST', '/api/auth/login', null, { username: 'integrator', password: 'Shiyu@2026' });
  assert.equal(login.status, 200);
  const mk = async (code: string) => {
    const r = await api('POST', '/api/devices', login.body.token, { code, name: code, subsystem: 'smart_water', kind: 'water_area_terminal', areaCode: '430523' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; code: string; secret: string };
  };
  const httpDevice = await mk('KILL-HTTP');
  const mqttDevice = await mk('KILL-MQTT');
  const acked = { http: new Set<string>(), mqtt: new Set<string>() };
  let stop = false;
  const time = new Date().toISOString();

  // HTTP: 8 clients sending batches of 25.
  let seq = 0;
  const httpWorker = async () => {
    while (!stop) {
      const ids = Array.from({ length: 25 }, () => `h${seq++}`);
      try {
        const res = await fetch(`${server.url}/api/ingest/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-device-token': httpDevice.secret },
          body: JSON.stringify({ events: ids.map((id) => ({ id, kind: 'person.near_water', time })) }),
        });
        if (res.status === 200) {
          const body = (await res.json()) as { results: { id: string; status: string }[] };
          for (const r of body.results) if (r.status === 'stored' || r.status === 'duplicate') acked.http.add(r.id);
        }
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // the server is gone
      }
    }
  };

  // MQTT: four connections, each with up to 500 QoS 1 messages in flight.
  const clients = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, {
        username: mqttDevice.code, password: mqttDevice.secret, reconnectPeriod: 0, clientId: `kill-test-${i}`,
      }),
    ),
  );
  let mseq = 0;
  const mqttWorker = async (client: mqtt.MqttClient) => {
    client.on('error', () => {});
    let inflight = 0;
    while (!stop && client.connected) {
      if (inflight >= 500) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const id = `m${mseq++}`;
      inflight++;
      client.publish(`shiyu/${mqttDevice.code}/events`, JSON.stringify({ id, kind: 'person.near_water', time }), { qos: 1 }, (err) => {
        inflight--;
        if (!err) acked.mqtt.add(id);
      });
      if (mseq % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  };

  const workers = [...Array.from({ length: 8 }, httpWorker), ...clients.map(mqttWorker)];
  // Let traffic flow, then kill the server while requests and messages are in flight.
  const until = Date.now() + 20_000;
  while ((acked.http.size < 1000 || acked.mqtt.size < 3000) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.ok(acked.http.size > 0 && acked.mqtt.size > 0, `traffic flowed before the kill (http ${acked.http.size}, mqtt ${acked.mqtt.size})`);
  await server.kill();
  const sent = { http: seq, mqtt: mseq };
  stop = true;
  for (const c of clients) c.end(true);
  await Promise.all(workers);

  await server.restart();
  const db = await openDatabase(loadConfig(server.env));
  try {
    const stored = async (deviceId: string) =>
      new Set((await db.kysely.selectFrom('device_events').select('event_id').where('device_id', '=', deviceId).where('source', '!=', 'system').execute()).map((r) => r.event_id));
    const httpStored = await stored(httpDevice.id);
    const mqttStored = await stored(mqttDevice.id);
    const lostHttp = [...acked.http].filter((id) => !httpStored.has(id));
    const lostMqtt = [...acked.mqtt].filter((id) => !mqttStored.has(id));
    assert.deepEqual(lostHttp, [], `HTTP: acknowledged but lost (of ${acked.http.size} acknowledged, ${sent.http} sent)`);
    assert.deepEqual(lostMqtt, [], `MQTT: acknowledged but lost (of ${acked.mqtt.size} acknowledged, ${sent.mqtt} sent)`);
    // The kill came mid-run: more was sent than acknowledged.
    assert.ok(sent.http + sent.mqtt > acked.http.size + acked.mqtt.size);
  } finally {
    await db.close();
  }
  // The restarted server still takes events.
  const ok = await fetch(`${server.url}/api/ingest/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-device-token': httpDevice.secret },
    body: JSON.stringify({ events: [{ id: 'after-restart', kind: 'person.near_water', time }] }),
  });
  assert.equal(ok.status, 200);
});
