// Device health and commands with a fake clock: heartbeats bring a device online, silence past its interval
// marks it offline and raises an event; commands go out by HTTP polling, are acknowledged, or expire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { createDevice, event, ingest } from './devices.helpers.ts';

let app: TestApp;
let clock: FakeClock;
let integrator: string;
const bus: { name: string; deviceId: string }[] = [];

before(async () => {
  clock = new FakeClock('2026-05-22T06:00:00.000Z');
  app = await createTestApp({ clock });
  integrator = await app.login('integrator');
  for (const name of ['device.online', 'device.offline'] as const) app.platform.bus.on(name, (e) => void bus.push({ name, deviceId: e.deviceId }));
});
after(async () => app?.close());

const heartbeat = (secret: string) => app.request('POST', '/api/ingest/heartbeat', { headers: { 'x-device-token': secret }, body: {} });

test(`heartbeats bring a device online; silence past its interval marks it offline with an event (${engine})`, async () => {
  const d = await createDevice(app, integrator, { heartbeatIntervalS: 30 });
  const op = await app.login('sy_operator');
  const get = async () => (await app.request('GET', `/api/devices/${d.id}`, { token: op })).body;
  assert.equal((await get()).online, false);
  assert.equal((await heartbeat(d.secret)).status, 200);
  assert.equal((await get()).online, true);
  assert.equal((await get()).lastSeenAt, '2026-05-22T06:00:00.000Z');

  clock.advance(60_000);
  await heartbeat(d.secret);
  clock.advance(80_000); // 80 s since the last heartbeat: fewer than three intervals of 30 s
  assert.equal(await app.services.devices.health.sweep(), 0);
  assert.equal((await get()).online, true);
  assert.equal((await get()).lastSeenAt, '2026-05-22T06:01:00.000Z', 'last-seen written by the sweep');

  clock.advance(11_000); // 91 s of silence
  assert.equal(await app.services.devices.health.sweep(), 1);
  const after = await get();
  assert.equal(after.online, false);
  assert.equal(after.onlineChangedAt, '2026-05-22T06:02:31.000Z');
  assert.equal(await app.services.devices.health.sweep(), 0, 'raised once');

  await app.platform.bus.drain();
  assert.deepEqual(bus.filter((b) => b.deviceId === d.id).map((b) => b.name), ['device.online', 'device.offline']);
  const events = await app.request('GET', `/api/devices/${d.id}/events`, { token: op });
  const offline = events.body.items.find((e: { kind: string }) => e.kind === 'device.offline');
  assert.ok(offline, 'the offline event is stored with the device');
  assert.equal(offline.attributes.silentForS, 91);
  assert.equal(offline.source, 'system');

  const rate = await app.request('GET', '/api/devices/online-rate?areaCode=430523&by=subsystem', { token: op });
  const water = rate.body.items.find((r: { key: string }) => r.key === 'smart_water');
  assert.ok(water.total >= 1 && water.online < water.total);

  // An event is a sign of life too.
  await ingest(app, d.secret, [event('back', { time: clock.now().toISOString() })]);
  assert.equal((await get()).online, true);
});

test(`a device marked offline elsewhere comes back online when it is heard from (${engine})`, async () => {
  const d = await createDevice(app, integrator, { heartbeatIntervalS: 30 });
  await heartbeat(d.secret);
  // Another node's sweep marked it offline; this node still has it as online in its cache.
  await app.platform.db.kysely.updateTable('devices').set({ online: 0 }).where('id', '=', d.id).execute();
  await heartbeat(d.secret);
  await app.services.devices.health.flush();
  const row = await app.platform.db.kysely.selectFrom('devices').select('online').where('id', '=', d.id).executeTakeFirstOrThrow();
  assert.equal(row.online, 1);
});

test(`commands over HTTP polling: delivered, acknowledged, refused where the device cannot, expired (${engine})`, async () => {
  const speaker = await createDevice(app, integrator, { kind: 'loudspeaker', name: '资江喇叭' });
  const gas = await createDevice(app, integrator, { kind: 'gas_detector', subsystem: 'smart_fire' });
  const op = await app.login('sy_operator');
  const send = (token: string, deviceId: string, body: unknown) => app.request('POST', `/api/devices/${deviceId}/commands`, { token, body });

  const c = await send(op, speaker.id, { type: 'broadcast.preset', params: { preset: 'water_danger' } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.status, 'pending');
  assert.equal(c.body.params.text, '水边危险，请速离开');
  assert.equal((await send(await app.login('lh_operator'), speaker.id, { type: 'broadcast.stop', params: {} })).status, 404);
  assert.equal((await send(await app.login('sy_grid'), speaker.id, { type: 'broadcast.stop', params: {} })).status, 403);
  const cannot = await send(op, gas.id, { type: 'broadcast.text', params: { text: '喂' } });
  assert.equal(cannot.status, 422);
  assert.equal(cannot.body.error.code, 'device.capability_missing');
  assert.equal((await send(op, speaker.id, { type: 'broadcast.text', params: { text: '' } })).status, 400);

  const polled = await app.request('GET', '/api/ingest/commands', { headers: { 'x-device-token': speaker.secret } });
  assert.equal(polled.status, 200);
  assert.deepEqual(polled.body.items.map((m: { id: string }) => m.id), [c.body.id]);
  assert.equal(polled.body.items[0].params.text, '水边危险，请速离开');
  const ackUrl = `/api/ingest/commands/${c.body.id}/ack`;
  assert.equal((await app.request('POST', ackUrl, { headers: { 'x-device-token': gas.secret }, body: { status: 'ok' } })).status, 404, 'not its command');
  const ack = await app.request('POST', ackUrl, { headers: { 'x-device-token': speaker.secret }, body: { status: 'ok', message: 'played 3 times' } });
  assert.equal(ack.status, 200);
  assert.equal(ack.body.status, 'acknowledged');
  assert.equal(ack.body.via, 'http');
  assert.equal((await app.request('POST', ackUrl, { headers: { 'x-device-token': speaker.secret }, body: { status: 'ok' } })).body.status, 'acknowledged');
  assert.deepEqual((await app.request('GET', '/api/ingest/commands', { headers: { 'x-device-token': speaker.secret } })).body.items, []);

  const late = await send(op, speaker.id, { type: 'broadcast.text', params: { text: '请离开水边' }, ttlS: 10 });
  clock.advance(11_000);
  assert.equal(await app.services.devices.commands.expire(), 1);
  const refused = await app.request('POST', `/api/ingest/commands/${late.body.id}/ack`, { headers: { 'x-device-token': speaker.secret }, body: { status: 'ok' } });
  assert.equal(refused.status, 422);
  const history = await app.request('GET', `/api/devices/${speaker.id}/commands`, { token: op });
  assert.deepEqual(history.body.items.map((h: { status: string }) => h.status).sort(), ['acknowledged', 'expired']);
});
