// MQTT ingest with the real Mosquitto clients: against the embedded broker (device username and password, own
// topics only, PUBACK after the commit) and against the Mosquitto broker on 127.0.0.1:1883 through MQTT 5
// shared subscriptions (two nodes share the load). Commands go out over MQTT and are acknowledged over MQTT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { pino } from 'pino';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/platform/mqtt.ts';
import { DevicesModule } from '../../src/modules/devices/devices.module.ts';
import { createDevice, event } from './devices.helpers.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.once('error', reject);
    c.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts mosquitto_sub and resolves once it is subscribed (-d prints SUBACK). */
async function subscribe(args: string[]): Promise<{ done: Promise<Run> }> {
  // stdbuf: mosquitto_sub buffers its output when it is not a terminal, and we need the SUBACK line at once.
  const c = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const done = new Promise<Run>((resolve) => c.once('exit', (code) => resolve({ code, stdout, stderr })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mosquitto_sub did not subscribe: ${stdout} ${stderr}`)), 10_000);
    c.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (stdout.includes('SUBACK')) {
        clearTimeout(timer);
        resolve();
      }
    });
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  });
  return { done };
}

const payloadLines = (out: string) => out.split('\n').filter((l) => l.startsWith('{') || l.startsWith('['));

async function storedEventIds(app: TestApp, deviceId: string): Promise<string[]> {
  const rows = await app.platform.db.kysely.selectFrom('device_events').select('event_id').where('device_id', '=', deviceId).where('source', '=', 'mqtt').execute();
  return rows.map((r) => r.event_id).sort();
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`embedded broker (${engine})`, () => {
  let app: TestApp;
  let broker: EmbeddedBroker;
  let integrator: string;
  const host = ['-h', '127.0.0.1'];

  before(async () => {
    app = await createTestApp();
    broker = await startEmbeddedBroker(0, pino({ level: 'silent' }));
    app.services.devices.mqtt.attachEmbedded(broker);
    integrator = await app.login('integrator');
  });
  after(async () => {
    await broker?.close();
    await app?.close();
  });
  const auth = (d: { code: string; secret: string }) => [...host, '-p', String(broker.port), '-u', d.code, '-P', d.secret, '-V', 'mqttv311'];

  test('an event published with QoS 1 is stored by the time mosquitto_pub has its PUBACK', async () => {
    const d = await createDevice(app, integrator);
    const r = await run('mosquitto_pub', [...auth(d), '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', JSON.stringify(event('m1', { attributes: { via: 'mosquitto_pub' } }))]);
    assert.equal(r.code, 0, r.stderr);
    // No waiting: the acknowledgement came after the commit.
    assert.deepEqual(await storedEventIds(app, d.id), ['m1']);
    const batch = [event('m2'), event('m3'), event('m1')];
    assert.equal((await run('mosquitto_pub', [...auth(d), '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', JSON.stringify({ events: batch })])).code, 0);
    assert.deepEqual(await storedEventIds(app, d.id), ['m1', 'm2', 'm3']);
  });

  test('a wrong password is refused, and a device may not publish as another', async () => {
    const d = await createDevice(app, integrator);
    const other = await createDevice(app, integrator);
    const wrong = await run('mosquitto_pub', [...host, '-p', String(broker.port), '-u', d.code, '-P', 'sdk_wrong', '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', '{}']);
    assert.notEqual(wrong.code, 0);
    const spoof = await run('mosquitto_pub', [...auth(d), '-q', '1', '-t', `shiyu/${other.code}/events`, '-m', JSON.stringify(event('spoof'))]);
    assert.notEqual(spoof.code, 0);
    assert.deepEqual(await storedEventIds(app, other.id), []);
  });

  test('rejected events come back on shiyu/<code>/results naming the field; heartbeats bring the device online', async () => {
    const d = await createDevice(app, integrator);
    const sub = await subscribe([...auth(d), '-t', `shiyu/${d.code}/results`, '-C', '1', '-W', '10']);
    await run('mosquitto_pub', [...auth(d), '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', JSON.stringify([event('ok1'), { id: 'bad1', kind: 'Person Near Water', time: new Date().toISOString() }])]);
    const got = await sub.done;
    const msg = JSON.parse(payloadLines(got.stdout)[0] ?? 'null');
    assert.equal(msg.rejected[0].id, 'bad1');
    assert.equal(msg.rejected[0].errors[0].field, 'kind');
    assert.deepEqual(await storedEventIds(app, d.id), ['ok1']);

    const hbDevice = await createDevice(app, integrator);
    assert.equal((await run('mosquitto_pub', [...auth(hbDevice), '-q', '1', '-t', `shiyu/${hbDevice.code}/heartbeat`, '-m', ''])).code, 0);
    const row = await app.platform.db.kysely.selectFrom('devices').select('online').where('id', '=', hbDevice.id).executeTakeFirstOrThrow();
    assert.equal(row.online, 1);
  });

  test('a command reaches the subscribed loudspeaker and its acknowledgement closes it', async () => {
    const d = await createDevice(app, integrator, { kind: 'loudspeaker' });
    const op = await app.login('sy_operator');
    const sub = await subscribe([...auth(d), '-t', `shiyu/${d.code}/commands`, '-C', '1', '-W', '10', '-q', '1']);
    const created = await app.request('POST', `/api/devices/${d.id}/commands`, { token: op, body: { type: 'broadcast.text', params: { text: '水边危险，请速离开', repeat: 3 } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'sent');
    assert.equal(created.body.via, 'mqtt');
    const msg = JSON.parse(payloadLines((await sub.done).stdout)[0] ?? 'null');
    assert.equal(msg.id, created.body.id);
    assert.equal(msg.params.text, '水边危险，请速离开');
    const ack = await run('mosquitto_pub', [...auth(d), '-q', '1', '-t', `shiyu/${d.code}/commands/ack`, '-m', JSON.stringify({ id: msg.id, status: 'ok' })]);
    assert.equal(ack.code, 0);
    const after = await app.request('GET', `/api/devices/${d.id}/commands`, { token: op });
    assert.equal(after.body.items[0].status, 'acknowledged');

    // A command sent while the device is away waits, and is delivered when it subscribes again.
    const later = await app.request('POST', `/api/devices/${d.id}/commands`, { token: op, body: { type: 'broadcast.preset', params: { preset: 'water_leave_now' } } });
    assert.equal(later.body.status, 'pending');
    const sub2 = await subscribe([...auth(d), '-t', `shiyu/${d.code}/commands`, '-C', '1', '-W', '10', '-q', '1']);
    const msg2 = JSON.parse(payloadLines((await sub2.done).stdout)[0] ?? 'null');
    assert.equal(msg2.id, later.body.id);
  });
});

describe(`external Mosquitto broker on 127.0.0.1:1883 with shared subscriptions (${engine})`, () => {
  let app: TestApp;
  let second: DevicesModule;
  let integrator: string;
  // A group of our own, so that parallel test runs on the same broker do not take each other's messages.
  const group = 'test' + crypto.randomBytes(4).toString('hex');

  before(async () => {
    app = await createTestApp();
    await app.services.devices.mqtt.connectExternal('mqtt://127.0.0.1:1883', { group, nodeId: `${group}-a` });
    // A second node on the same database.
    second = new DevicesModule(app.platform, app.services.areas);
    await second.mqtt.connectExternal('mqtt://127.0.0.1:1883', { group, nodeId: `${group}-b` });
    integrator = await app.login('integrator');
  });
  after(async () => {
    await second?.stop();
    await app?.services.devices.stop();
    await app?.close();
  });

  test('events published to Mosquitto are stored once, and the two nodes share them', async () => {
    const d = await createDevice(app, integrator);
    const ids = Array.from({ length: 40 }, (_, i) => `x${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      const r = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-V', 'mqttv5', '-q', '1', '-t', `shiyu/${d.code}/events`, '-m', JSON.stringify(event(id))]);
      assert.equal(r.code, 0, r.stderr);
    }
    const stored = await waitFor(() => storedEventIds(app, d.id), (v) => v.length >= ids.length);
    assert.deepEqual(stored, ids);
    const a = app.services.devices.mqtt.stats.received;
    const b = second.mqtt.stats.received;
    assert.ok(a > 0 && b > 0, `both nodes took messages (${a} and ${b})`);
  });

  test('commands are published to the broker for the device', async () => {
    const d = await createDevice(app, integrator, { kind: 'loudspeaker' });
    const sub = await subscribe(['-h', '127.0.0.1', '-p', '1883', '-t', `shiyu/${d.code}/commands`, '-C', '1', '-W', '10', '-q', '1']);
    const op = await app.login('sy_operator');
    const created = await app.request('POST', `/api/devices/${d.id}/commands`, { token: op, body: { type: 'broadcast.preset', params: { preset: 'water_danger' } } });
    assert.equal(created.body.status, 'sent');
    const msg = JSON.parse(payloadLines((await sub.done).stdout)[0] ?? 'null');
    assert.equal(msg.id, created.body.id);
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-q', '1', '-t', `shiyu/${d.code}/commands/ack`, '-m', JSON.stringify({ id: msg.id, status: 'failed', message: 'amplifier fault' })]);
    const closed = await waitFor(
      async () => (await app.request('GET', `/api/devices/${d.id}/commands`, { token: op })).body.items[0].status as string,
      (s) => s !== 'sent',
    );
    assert.equal(closed, 'failed');
  });
});
