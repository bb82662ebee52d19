// HTTP ingest through the real app: per-item results naming the field, idempotency, device authentication,
// snapshots stored and served within scope only, and one 'device.event' per stored event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import type { DeviceEventPayload } from '../../src/modules/devices/ingest.service.ts';
import { demoDeviceSecret } from '../../src/modules/devices/devices.demo.ts';
import { createDevice, event, ingest, IN_SHAOYANG_COUNTY, PNG_1PX } from './devices.helpers.ts';

let app: TestApp;
let integrator: string;
const seen: DeviceEventPayload[] = [];

before(async () => {
  app = await createTestApp();
  integrator = await app.login('integrator');
  app.platform.bus.on('device.event', (e) => {
    seen.push(e);
  });
});
after(async () => app?.close());

test(`a batch stores the good items and names the field of each bad one (${engine})`, async () => {
  const d = await createDevice(app, integrator, { ...IN_SHAOYANG_COUNTY, areaCode: undefined });
  assert.equal(d.areaCode, '430523', 'area derived from the position');
  const batch = [
    event('e1', { zones: ['zjw-01'], attributes: { confidence: 0.93 } }),
    event('e2', { time: 'yesterday' }),
    { id: 'e3', time: new Date().toISOString() },
    event('e4', { snapshots: [{ kind: 'scene', contentType: 'image/png', data: PNG_1PX }] }),
    event('e5', { position: { lon: 500, lat: 27 } }),
  ];
  const res = await ingest(app, d.secret, batch);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.stored, res.body.duplicates, res.body.rejected], [2, 0, 3]);
  const byId = Object.fromEntries(res.body.results.map((r: { id: string }) => [r.id, r]));
  assert.equal(byId.e1.status, 'stored');
  assert.equal(byId.e2.status, 'rejected');
  assert.equal(byId.e2.errors[0].field, 'time');
  assert.equal(byId.e3.errors[0].field, 'kind');
  assert.equal(byId.e4.status, 'stored');
  assert.equal(byId.e5.errors[0].field, 'position.lon');

  await app.platform.bus.drain();
  const mine = seen.filter((e) => e.deviceId === d.id && e.source === 'http');
  assert.deepEqual(mine.map((e) => e.eventId).sort(), ['e1', 'e4']);
  const e1 = mine.find((e) => e.eventId === 'e1')!;
  assert.equal(e1.areaCode, '430523');
  assert.deepEqual(e1.zones, ['zjw-01']);
  assert.equal(e1.attributes.confidence, 0.93);
  assert.equal(e1.lon, IN_SHAOYANG_COUNTY.lon, 'the device position when the event has none');
});

test(`a retried event is stored once, also when repeated within one batch (${engine})`, async () => {
  const d = await createDevice(app, integrator);
  const first = await ingest(app, d.secret, [event('r1'), event('r2'), event('r2')]);
  assert.deepEqual(first.body.results.map((r: { status: string }) => r.status), ['stored', 'stored', 'duplicate']);
  const again = await ingest(app, d.secret, [event('r1'), event('r2'), event('r3')]);
  assert.deepEqual(again.body.results.map((r: { status: string }) => r.status), ['duplicate', 'duplicate', 'stored']);
  const op = await app.login('sy_operator');
  const list = await app.request('GET', `/api/devices/${d.id}/events`, { token: op });
  assert.equal(list.status, 200);
  const fromDevice = list.body.items.filter((e: { source: string }) => e.source !== 'system');
  assert.deepEqual(fromDevice.map((e: { eventId: string }) => e.eventId).sort(), ['r1', 'r2', 'r3']);
  // Its first event brought the device online, and that was recorded as an event too.
  assert.ok(list.body.items.some((e: { kind: string }) => e.kind === 'device.online'));
  // The same event id from another device is another event.
  const other = await createDevice(app, integrator);
  const res = await ingest(app, other.secret, [event('r1')]);
  assert.equal(res.body.stored, 1);
});

test(`concurrent batches are all stored, in fewer commits than requests (${engine})`, async () => {
  const d = await createDevice(app, integrator);
  const commitsBefore = app.services.devices.writer.stats.commits;
  const requests = 20;
  const answers = await Promise.all(
    Array.from({ length: requests }, (_, r) => ingest(app, d.secret, Array.from({ length: 50 }, (_, i) => event(`c${r}-${i}`)))),
  );
  for (const a of answers) assert.equal(a.body.stored, 50);
  const count = await app.platform.db.kysely
    .selectFrom('device_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('device_id', '=', d.id)
    .where('source', '=', 'http')
    .executeTakeFirstOrThrow();
  assert.equal(Number(count.n), requests * 50);
  assert.ok(app.services.devices.writer.stats.commits - commitsBefore <= requests);
});

test(`devices authenticate with their secret; unknown, rotated and retired secrets are refused (${engine})`, async () => {
  const d = await createDevice(app, integrator);
  assert.equal((await ingest(app, 'sdk_not-a-secret', [event('x')])).status, 401);
  const bearer = await app.request('POST', '/api/ingest/events', { headers: { authorization: `Bearer ${d.secret}` }, body: { events: [event('b1')] } });
  assert.equal(bearer.status, 200);
  const rotated = await app.request('POST', `/api/devices/${d.id}/secret`, { token: integrator });
  assert.equal(rotated.status, 200);
  assert.equal((await ingest(app, d.secret, [event('x')])).status, 401);
  assert.equal((await ingest(app, rotated.body.secret, [event('x2')])).status, 200);
  assert.equal((await app.request('POST', `/api/devices/${d.id}/retire`, { token: integrator })).status, 200);
  assert.equal((await ingest(app, rotated.body.secret, [event('x3')])).status, 401);
  const tooMany = await ingest(app, d.secret, Array.from({ length: 1001 }, (_, i) => event(`m${i}`)));
  assert.equal(tooMany.status, 400);
});

test(`snapshots are stored and served only within scope (${engine})`, async () => {
  const d = await createDevice(app, integrator, { areaCode: '430523100' });
  await ingest(app, d.secret, [event('s1', { kind: 'face.captured', snapshots: [{ kind: 'face', contentType: 'image/png', data: PNG_1PX }] })]);
  const sy = await app.login('sy_operator');
  const lh = await app.login('lh_operator');
  const events = await app.request('GET', `/api/devices/${d.id}/events`, { token: sy });
  const snap = events.body.items.find((e: { eventId: string }) => e.eventId === 's1').snapshots[0];
  assert.equal(snap.kind, 'face');
  const got = await app.app.inject({ method: 'GET', url: snap.url, headers: { authorization: `Bearer ${sy}` } });
  assert.equal(got.statusCode, 200);
  assert.equal(got.headers['content-type'], 'image/png');
  assert.deepEqual(got.rawPayload, Buffer.from(PNG_1PX, 'base64'));
  const denied = await app.request('GET', snap.url, { token: lh });
  assert.equal(denied.status, 404);
  assert.equal((await app.request('GET', `/api/devices/${d.id}/events`, { token: lh })).status, 404);
  const list = await app.request('GET', `/api/devices/${d.id}/snapshots`, { token: sy });
  assert.equal(list.body.items[0].eventId, 's1');
});

test(`the demo city has devices in every county, and their secrets can be derived for the simulator (${engine})`, async () => {
  const rate = await app.request('GET', '/api/devices/online-rate?by=area', { token: await app.login('admin') });
  assert.equal(rate.body.items.filter((r: { total: number }) => r.total > 0).length, 12);
  const secret = demoDeviceSecret(app.platform, 'DEMO-430523-WT-00001');
  const res = await ingest(app, secret, [event('demo-1')]);
  assert.equal(res.status, 200);
  assert.equal(res.body.stored, 1);
  const dome = await app.platform.db.kysely.selectFrom('devices').select('gb_id').where('code', '=', 'DEMO-430523-XL-00001').executeTakeFirstOrThrow();
  assert.equal(dome.gb_id, '43052300001329000001');
});
