// Zones and rules through the API: validation that names the field, the spatial index kept in step with edits,
// optimistic versions, masked contacts with an audited reveal, GeoJSON import, rule versions, the dry run,
// N occurrences in a sliding window, device silence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.ts';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { commandsOf, createRule, device, event, ingest, nearWaterRule, square, WATER, waterArea, type WaterSetup } from './warning.helpers.ts';

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
});
after(async () => app?.close());

test(`zones: validation, the index follows edits, versions, masked contacts and an audited reveal (${engine})`, async () => {
  const bad = await app.request('POST', '/api/zones', {
    token: op,
    body: { name: 'x', kind: 'key_water', riskLevel: 9, areaCode: '430523100', geometry: { type: 'Polygon', coordinates: [[[111, 27], [111.1, 27], [111, 27.1]]] } },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /riskLevel|geometry/);
  const notSpeaker = await app.request('POST', '/api/zones', {
    token: op,
    body: { name: 'x', kind: 'key_water', riskLevel: 2, areaCode: '430523100', geometry: square(111.3, 27), speakerIds: [water.camera.id] },
  });
  assert.equal(notSpeaker.status, 400);
  assert.equal(notSpeaker.body.error.code, 'zone.invalid_speakers');

  const z = (await app.request('GET', `/api/zones/${water.zone.id}`, { token: op })).body;
  assert.equal(z.contacts.find((c: { role: string }) => c.role === 'keeper').phoneMasked, '139****0101');
  assert.equal(z.contacts.find((c: { role: string }) => c.role === 'keeper').nameMasked, '李*水');
  assert.equal(z.activeNow, true);
  const lookup = await app.request('GET', `/api/zones/lookup?lon=${WATER.lon}&lat=${WATER.lat}`, { token: op });
  assert.deepEqual(lookup.body.items.map((i: { id: string }) => i.id), [water.zone.id]);

  // Move the zone away: the index follows at once; a stale version is refused.
  const moved = await app.request('PATCH', `/api/zones/${water.zone.id}`, { token: op, body: { geometry: square(111.4, 27.1), expectedVersion: z.version } });
  assert.equal(moved.status, 200);
  assert.equal((await app.request('GET', `/api/zones/lookup?lon=${WATER.lon}&lat=${WATER.lat}`, { token: op })).body.items.length, 0);
  assert.equal((await app.request('GET', '/api/zones/lookup?lon=111.4&lat=27.1', { token: op })).body.items.length, 1);
  const stale = await app.request('PATCH', `/api/zones/${water.zone.id}`, { token: op, body: { name: 'y', expectedVersion: z.version } });
  assert.equal(stale.status, 409);
  const back = await app.request('PATCH', `/api/zones/${water.zone.id}`, { token: op, body: { geometry: square(WATER.lon, WATER.lat) } });
  assert.equal(back.body.version, z.version + 2);
  assert.equal(app.services.warning.zones.index.get(water.zone.id)?.version, z.version + 2);

  const grid = await app.login('sy_grid');
  assert.equal((await app.request('POST', `/api/zones/${water.zone.id}/reveal-contacts`, { token: grid })).status, 403);
  const revealed = await app.request('POST', `/api/zones/${water.zone.id}/reveal-contacts`, { token: op });
  assert.equal(revealed.body.items.find((c: { role: string }) => c.role === 'keeper').phone, '13900000101');
  const audit = await app.platform.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'pii.read').where('entity_id', '=', water.zone.id).execute();
  assert.equal(audit.length, 1);
  // Personal data is not stored in clear.
  const raw = await app.platform.db.kysely.selectFrom('zone_contacts').selectAll().where('zone_id', '=', water.zone.id).execute();
  assert.ok(raw.every((c) => !JSON.stringify(c).includes('13900000101') && !JSON.stringify(c).includes('李护水')));
});

test(`zones: GeoJSON import with a result per feature; delete leaves the index (${engine})`, async () => {
  const res = await app.request('POST', '/api/zones/import', {
    token: op,
    body: {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: square(111.35, 27.05, 0.001), properties: { code: 'IMP-1', name: '水库一', kind: 'key_water', riskLevel: 3, areaCode: '430523100' } },
        { type: 'Feature', geometry: square(111.36, 27.05, 0.001), properties: { code: 'IMP-2', name: '学校周边', kind: 'school_surroundings', riskLevel: 2, areaCode: '430523' } },
        { type: 'Feature', geometry: square(111.37, 27.05, 0.001), properties: { code: 'IMP-3', name: '无级别', kind: 'key_water', areaCode: '430523' } },
        { type: 'Feature', geometry: square(111.03, 27.11, 0.001), properties: { code: 'IMP-4', name: '越界', kind: 'key_water', riskLevel: 2, areaCode: '430524001' } },
      ],
    },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.created, 2);
  assert.deepEqual(res.body.rejected.map((r: { index: number }) => r.index), [2, 3]);
  assert.ok(res.body.rejected[0].errors.some((e: { field: string }) => e.field === 'riskLevel'));
  const again = await app.request('POST', '/api/zones/import', {
    token: op,
    body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: square(111.35, 27.05, 0.002), properties: { code: 'IMP-1', name: '水库一（扩）', kind: 'key_water', riskLevel: 4, areaCode: '430523100' } }] },
  });
  assert.equal(again.body.updated, 1);
  const list = await app.request('GET', '/api/zones?kind=key_water&q=' + encodeURIComponent('水库'), { token: op });
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].riskLevel, 4);
  const del = await app.request('DELETE', `/api/zones/${list.body.items[0].id}`, { token: op });
  assert.equal(del.status, 200);
  assert.equal(app.services.warning.zones.index.at(111.35, 27.05).length, 0);
});

test(`rules: validation names the field, versions are kept, disabling stops the rule (${engine})`, async () => {
  const bad = await app.request('POST', '/api/rules', { token: op, body: { ...nearWaterRule(), definition: { trigger: { type: 'event', eventKinds: ['person.near_water'] }, actions: [{ type: 'broadcast', text: '', repeat: 3 }] } } });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body.error), /definition\.actions\.0\.text/);
  const foreign = await app.request('POST', '/api/rules', { token: op, body: { ...nearWaterRule(), areaCode: '430524' } });
  assert.equal(foreign.status, 404);
  const grid = await app.login('sy_grid');
  assert.equal((await app.request('POST', '/api/rules', { token: grid, body: nearWaterRule() })).status, 403);

  const id = await createRule(app, op, nearWaterRule());
  const v2 = await app.request('PATCH', `/api/rules/${id}`, { token: op, body: { name: '重点水域人员靠近（夜间）', expectedVersion: 1 } });
  assert.equal(v2.body.version, 2);
  const stale = await app.request('PATCH', `/api/rules/${id}`, { token: op, body: { enabled: false, expectedVersion: 1 } });
  assert.equal(stale.status, 409);
  const versions = await app.request('GET', `/api/rules/${id}/versions`, { token: op });
  assert.deepEqual(versions.body.items.map((v: { version: number }) => v.version), [2, 1]);
  assert.equal(versions.body.items[1].name, '重点水域人员靠近');

  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const n = (await commandsOf(app, [water.speakers[0]!.id])).length;
  assert.equal(n, 1);
  await app.request('PATCH', `/api/rules/${id}`, { token: op, body: { enabled: false } });
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  assert.equal((await commandsOf(app, [water.speakers[0]!.id])).length, n, 'a disabled rule does not act');
});

test(`dry run: replays recent events without acting, counting like the engine (${engine})`, async () => {
  const before = await app.platform.db.kysely.selectFrom('alerts').select('id').execute();
  const def = { ...nearWaterRule().definition, count: { threshold: 2, windowSeconds: 600, per: 'zone' } };
  const res = await app.request('POST', '/api/rules/dry-run', { token: op, body: { areaCode: '430523', definition: def, sinceMinutes: 60 } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.examined >= 2);
  assert.equal(res.body.matched, 1, 'two events at the water, threshold 2: one firing');
  assert.deepEqual(res.body.items[0].wouldDo, ['broadcast', 'raise_alert', 'notify']);
  assert.deepEqual(res.body.items[0].zones, [water.zone.code]);
  const after = await app.platform.db.kysely.selectFrom('alerts').select('id').execute();
  assert.equal(after.length, before.length, 'a dry run acts on nothing');
  const other = await app.request('POST', '/api/rules/dry-run', { token: op, body: { areaCode: '430524', definition: def } });
  assert.equal(other.status, 404);
  // A city rule covers every county of the city (the scope prefix 4305), a town rule its villages; a sibling county's
  // rule sees none of 塘渡口镇's events.
  const city = await app.request('POST', '/api/rules/dry-run', { token: admin, body: { areaCode: '430500', definition: def, sinceMinutes: 60 } });
  assert.equal(city.status, 200, JSON.stringify(city.body));
  assert.ok(city.body.examined >= res.body.examined, `city examined ${city.body.examined}`);
  assert.equal(city.body.matched, 1);
  assert.deepEqual(city.body.items[0].zones, [water.zone.code]);
  const town = await app.request('POST', '/api/rules/dry-run', { token: admin, body: { areaCode: '430523100', definition: def, sinceMinutes: 60 } });
  assert.equal(town.status, 200, JSON.stringify(town.body));
  assert.equal(town.body.matched, 1);
  const sibling = await app.request('POST', '/api/rules/dry-run', { token: admin, body: { areaCode: '430524', definition: def, sinceMinutes: 60 } });
  assert.equal(sibling.status, 200, JSON.stringify(sibling.body));
  assert.equal(sibling.body.matched, 0, 'a sibling county matches none of these events');
  assert.ok(sibling.body.items.every((i: { areaCode: string }) => i.areaCode.startsWith('430524')));
});

test(`N occurrences in a sliding window: fires on the Nth within the window, then starts again (${engine})`, async () => {
  const cam = await device(app, admin, { kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  const id = await createRule(app, op, {
    name: '三次闯入',
    areaCode: '430523100',
    definition: {
      trigger: { type: 'event', eventKinds: ['intrusion'] },
      zone: { kinds: ['key_water'] },
      count: { threshold: 3, windowSeconds: 120, per: 'device' },
      actions: [{ type: 'raise_alert', severity: 'yellow', title: '{zone}反复闯入' }],
    },
  });
  const at = (s: number) => new Date(Date.now() - 600_000 + s * 1000).toISOString();
  const alerts = async () => (await app.platform.db.kysely.selectFrom('alerts').selectAll().where('rule_id', '=', id).execute()).length;
  await ingest(app, cam.secret, [event('intrusion', { time: at(0) })]);
  await ingest(app, cam.secret, [event('intrusion', { time: at(10) })]);
  assert.equal(await alerts(), 0);
  await ingest(app, cam.secret, [event('intrusion', { time: at(200) })]);
  assert.equal(await alerts(), 0, 'the first two fell out of the window');
  await ingest(app, cam.secret, [event('intrusion', { time: at(210) })]);
  await ingest(app, cam.secret, [event('intrusion', { time: at(220) })]);
  assert.equal(await alerts(), 1);
  // Retired hits stay for a while (an event evaluated again after a restart must not count twice); they no longer count.
  const counting = () => app.platform.db.kysely.selectFrom('rule_window_hits').selectAll().where('rule_id', '=', id).where('retired_by', 'is', null).execute();
  assert.equal((await counting()).length, 0, 'the window starts again after firing');
  await ingest(app, cam.secret, [event('intrusion', { time: at(230) })]);
  assert.equal(await alerts(), 1);
  assert.equal((await counting()).length, 1, 'the window is stored');
});

test(`device silence: a loudspeaker silent past the limit raises one alert per silent spell (${engine})`, async () => {
  const speaker = await device(app, admin, { kind: 'loudspeaker', lon: WATER.lon, lat: WATER.lat, areaCode: '430523100' });
  const id = await createRule(app, op, {
    name: '喇叭失联',
    areaCode: '430523100',
    definition: { trigger: { type: 'silence', deviceKinds: ['loudspeaker'], silentForSeconds: 3600 }, actions: [{ type: 'raise_alert', severity: 'blue', title: '设备失联' }] },
  });
  const alerts = async () => app.platform.db.kysely.selectFrom('alerts').selectAll().where('rule_id', '=', id).execute();
  await app.request('POST', '/api/ingest/heartbeat', { headers: { 'x-device-token': speaker.secret }, body: {} });
  await app.services.devices.health.flush();
  clock.advance(1800_000);
  await app.services.warning.sweeper.tick();
  assert.equal((await alerts()).length, 0);
  clock.advance(1900_000);
  await app.services.warning.sweeper.tick();
  const fired = await alerts();
  assert.ok(fired.some((a) => a.device_id === speaker.id), 'the silent loudspeaker');
  const n = fired.length;
  clock.advance(60_000);
  await app.services.warning.sweeper.tick();
  assert.equal((await alerts()).length, n, 'once per silent spell');
});
