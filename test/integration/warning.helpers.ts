// Factories for the early-warning tests: a key water area with a camera and loudspeakers, rules, events.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';

/** 塘渡口镇 (430523100): a point inside 邵阳县 on the demo boundaries, and a small square around it. */
export const WATER = { lon: 111.273805, lat: 26.990637 };
export function square(lon: number, lat: number, d = 0.002) {
  return {
    type: 'Polygon' as const,
    coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]],
  };
}

let serial = 0;

export async function device(app: TestApp, token: string, body: Record<string, unknown>): Promise<{ id: string; code: string; secret: string }> {
  serial++;
  const res = await app.request('POST', '/api/devices', {
    token,
    body: { code: `W-${process.pid}-${serial}`, name: `预警测试设备${serial}`, subsystem: 'smart_water', areaCode: '430523100', ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, code: res.body.code, secret: res.body.secret };
}

export async function userId(app: TestApp, admin: string, username: string): Promise<string> {
  const res = await app.request('GET', `/api/users?q=${username}`, { token: admin });
  const u = res.body.items.find((x: { username: string }) => x.username === username);
  assert.ok(u, username);
  return u.id as string;
}

export interface WaterSetup {
  camera: { id: string; code: string; secret: string };
  speakers: { id: string; code: string; secret: string }[];
  zone: { id: string; code: string };
}

/** A key water area in 塘渡口镇 with one camera, two loudspeakers, a keeper (phone) and the village grid worker. */
export async function waterArea(app: TestApp, admin: string, opts: { activePeriods?: unknown[] } = {}): Promise<WaterSetup> {
  const camera = await device(app, admin, { kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  const speakers = [
    await device(app, admin, { kind: 'loudspeaker', lon: WATER.lon + 0.0005, lat: WATER.lat }),
    await device(app, admin, { kind: 'loudspeaker', lon: WATER.lon - 0.0005, lat: WATER.lat }),
  ];
  const grid = await userId(app, admin, 'sy_grid');
  const res = await app.request('POST', '/api/zones', {
    token: admin,
    body: {
      name: '资江塘渡口段',
      kind: 'key_water',
      riskLevel: 4,
      areaCode: '430523100',
      geometry: square(WATER.lon, WATER.lat),
      activePeriods: opts.activePeriods ?? [],
      speakerIds: speakers.map((s) => s.id),
      contacts: [
        { role: 'keeper', name: '李护水', phone: '13900000101' },
        { role: 'grid_worker', userId: grid },
      ],
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { camera, speakers, zone: { id: res.body.id, code: res.body.code } };
}

export const townToCounty = { start: 'town', steps: [{ tier: 'county', afterSeconds: 180 }, { tier: 'city', afterSeconds: 600 }], remindEverySeconds: 60 };

export function nearWaterRule(extra: Record<string, unknown> = {}) {
  return {
    name: '重点水域人员靠近',
    areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['person.near_water'] },
      zone: { kinds: ['key_water'] },
      actions: [
        { type: 'broadcast', text: '水边危险，请速离开', repeat: 3 },
        { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边', ladder: townToCounty },
        { type: 'notify', roles: ['keeper', 'grid_worker'], text: '{zone}有人靠近水边，请前往劝离（{alert}）' },
      ],
      ...extra,
    },
  };
}

export async function createRule(app: TestApp, token: string, body: unknown): Promise<string> {
  const res = await app.request('POST', '/api/rules', { token, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

let ev = 0;
export function event(kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  ev++;
  return { id: `ev-${process.pid}-${ev}`, kind, time: new Date(Date.now() - 500).toISOString(), ...extra };
}

/** Ingests events and waits until the rules have acted on them. */
export async function ingest(app: TestApp, secret: string, events: unknown[]): Promise<void> {
  const res = await app.request('POST', '/api/ingest/events', { headers: { 'x-device-token': secret }, body: { events } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  for (const r of res.body.results) assert.equal(r.status, 'stored', JSON.stringify(r));
  await settle(app);
}

export async function settle(app: TestApp): Promise<void> {
  await app.platform.bus.drain();
  await app.services.warning.idle();
  await app.platform.bus.drain();
}

export async function notificationsOf(app: TestApp, alertId: string) {
  return app.platform.db.kysely.selectFrom('notifications').selectAll().where('alert_id', '=', alertId).orderBy('created_at').execute();
}

export async function commandsOf(app: TestApp, deviceIds: string[]) {
  return app.platform.db.kysely.selectFrom('device_commands').selectAll().where('device_id', 'in', deviceIds).orderBy('created_at').execute();
}
