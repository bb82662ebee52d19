// Cross-area probes for the device routes: 邵阳县 accounts against a device of 隆回县 (and its events, snapshot
// and commands). The device-authenticated ingest routes are public to sign-in and authenticate the device itself.
import assert from 'node:assert/strict';
import { toCsv } from '../../../src/modules/devices/csv.ts';
import type { CrossAreaProbe, ProbeContext } from '../probe.ts';

const denied = 'denied' as const;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface Foreign {
  id: string;
  code: string;
  snapshotId: string;
  homeId: string;
}
let prepared: Promise<Foreign> | null = null;

/** A loudspeaker-terminal in 隆回县 with one event and its snapshot, and a device at home in 邵阳县. */
function foreignDevice(ctx: ProbeContext): Promise<Foreign> {
  prepared ??= (async () => {
    const created = await ctx.app.request('POST', '/api/devices', {
      token: ctx.cityAdmin,
      body: { code: 'XA-LH-1', name: '隆回防溺水终端', subsystem: 'smart_water', kind: 'water_area_terminal', areaCode: ctx.foreign.village },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ingest = await ctx.app.request('POST', '/api/ingest/events', {
      headers: { 'x-device-token': created.body.secret },
      body: { events: [{ id: 'xa-1', kind: 'person.near_water', time: new Date().toISOString(), snapshots: [{ contentType: 'image/png', data: PNG }] }] },
    });
    assert.equal(ingest.body.stored, 1);
    const events = await ctx.app.request('GET', `/api/devices/${created.body.id}/events`, { token: ctx.cityAdmin });
    const snapshotId = events.body.items.find((e: { eventId: string }) => e.eventId === 'xa-1').snapshots[0].id as string;
    const home = await ctx.app.request('POST', '/api/devices', {
      token: ctx.cityAdmin,
      body: { code: 'XA-SY-1', name: '邵阳县喇叭', subsystem: 'smart_water', kind: 'loudspeaker', areaCode: ctx.home.village },
    });
    assert.equal(home.status, 201);
    return { id: created.body.id, code: created.body.code, snapshotId, homeId: home.body.id };
  })();
  return prepared;
}

const onlyHome = (res: { status: number; body: { items: { areaCode: string }[] } }) => {
  if (res.status === 403) return;
  assert.ok(res.body.items.every((d) => d.areaCode.startsWith('430523')), JSON.stringify(res.body.items.map((d) => d.areaCode)));
};

export const probes: CrossAreaProbe[] = [
  { route: 'GET /api/devices/catalog', requests: async () => [] },
  { route: 'GET /api/devices/import-template', requests: async () => [] },
  {
    route: 'GET /api/devices',
    requests: async (c) => {
      await foreignDevice(c);
      return [
        { method: 'GET', url: '/api/devices?pageSize=500&status=all', expect: onlyHome },
        { method: 'GET', url: `/api/devices?areaCode=${c.foreign.county}`, expect: (res) => assert.equal(res.body.total ?? 0, 0) },
        { method: 'GET', url: '/api/devices?q=XA-LH', expect: (res) => assert.equal(res.body.total ?? 0, 0) },
      ];
    },
  },
  {
    route: 'GET /api/devices/map',
    requests: async (c) => {
      const f = await foreignDevice(c);
      return [{ method: 'GET', url: '/api/devices/map', expect: (res) => assert.ok(!res.body.items.some((i: unknown[]) => i[0] === f.id)) }];
    },
  },
  {
    route: 'GET /api/devices/online-rate',
    requests: async (c) => [
      { method: 'GET', url: `/api/devices/online-rate?areaCode=${c.foreign.county}`, expect: denied },
      { method: 'GET', url: '/api/devices/online-rate?areaCode=430500', expect: denied },
      {
        method: 'GET',
        url: '/api/devices/online-rate?by=area',
        expect: (res) => assert.ok(res.body.items.every((r: { key: string }) => r.key.startsWith('430523'))),
      },
    ],
  },
  {
    route: 'POST /api/devices/import',
    requests: async (c) => {
      const csv = toCsv([['code', 'name', 'subsystem', 'kind', 'areaCode'], ['XA-IMP-1', '越界', 'smart_water', 'loudspeaker', c.foreign.village]]);
      return [
        {
          method: 'POST',
          url: '/api/devices/import',
          body: { fileName: 'x.csv', content: Buffer.from(csv).toString('base64') },
          expect: (res) => {
            if (res.status === 403) return;
            assert.equal(res.body.created, 0);
            assert.equal(res.body.rows[0].errors[0].field, 'areaCode');
          },
        },
      ];
    },
  },
  {
    route: 'POST /api/devices',
    requests: async (c) => [
      { method: 'POST', url: '/api/devices', body: { code: 'XA-NEW-1', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', areaCode: c.foreign.town }, expect: denied },
      { method: 'POST', url: '/api/devices', body: { code: 'XA-NEW-2', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', lon: 111.032437, lat: 27.113978 }, expect: denied },
      { method: 'POST', url: '/api/devices', body: { code: 'XA-NEW-3', name: 'x', subsystem: 'smart_fire', kind: 'gas_detector', gbId: '43052400001329990001' }, expect: denied },
    ],
  },
  { route: 'GET /api/devices/:id', requests: async (c) => [{ method: 'GET', url: `/api/devices/${(await foreignDevice(c)).id}`, expect: denied }] },
  {
    route: 'PATCH /api/devices/:id',
    requests: async (c) => {
      const f = await foreignDevice(c);
      return [
        { method: 'PATCH', url: `/api/devices/${f.id}`, body: { name: '改名' }, expect: denied },
        // Moving an own device into the other county is refused as well.
        { method: 'PATCH', url: `/api/devices/${f.homeId}`, body: { areaCode: c.foreign.village }, expect: denied },
      ];
    },
  },
  { route: 'POST /api/devices/:id/retire', requests: async (c) => [{ method: 'POST', url: `/api/devices/${(await foreignDevice(c)).id}/retire`, expect: denied }] },
  { route: 'POST /api/devices/:id/secret', requests: async (c) => [{ method: 'POST', url: `/api/devices/${(await foreignDevice(c)).id}/secret`, expect: denied }] },
  { route: 'GET /api/devices/:id/events', requests: async (c) => [{ method: 'GET', url: `/api/devices/${(await foreignDevice(c)).id}/events`, expect: denied }] },
  { route: 'GET /api/devices/:id/snapshots', requests: async (c) => [{ method: 'GET', url: `/api/devices/${(await foreignDevice(c)).id}/snapshots`, expect: denied }] },
  { route: 'GET /api/devices/:id/commands', requests: async (c) => [{ method: 'GET', url: `/api/devices/${(await foreignDevice(c)).id}/commands`, expect: denied }] },
  {
    route: 'POST /api/devices/:id/commands',
    requests: async (c) => [
      { method: 'POST', url: `/api/devices/${(await foreignDevice(c)).id}/commands`, body: { type: 'broadcast.text', params: { text: '越界喊话' } }, expect: denied },
    ],
  },
  { route: 'GET /api/snapshots/:id', requests: async (c) => [{ method: 'GET', url: `/api/snapshots/${(await foreignDevice(c)).snapshotId}`, expect: denied }] },
];
