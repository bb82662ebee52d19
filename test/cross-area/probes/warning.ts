// Early warning: zones, rules, alerts, responders and dispatches of 隆回县 (430524) are invisible and untouchable
// for 邵阳县's operator and administrator.
import assert from 'node:assert/strict';
import type { CrossAreaProbe, ProbeContext, ProbeRequest } from '../probe.ts';

const denied = 'denied' as const;
const LONGHUI = { lon: 111.032437, lat: 27.113978 };
const sq = (d = 0.002) => ({
  type: 'Polygon',
  coordinates: [[[LONGHUI.lon - d, LONGHUI.lat - d], [LONGHUI.lon + d, LONGHUI.lat - d], [LONGHUI.lon + d, LONGHUI.lat + d], [LONGHUI.lon - d, LONGHUI.lat + d], [LONGHUI.lon - d, LONGHUI.lat - d]]],
});

interface Foreign {
  zoneId: string;
  ruleId: string;
  alertId: string;
  responderId: string;
  dispatchId: string;
  attachmentId: string;
  speakerId: string;
}

let prepared: Promise<Foreign> | null = null;

/** One set of 隆回县 data, made through the API by city-level accounts. */
function foreign(ctx: ProbeContext): Promise<Foreign> {
  prepared ??= (async () => {
    const { app, cityAdmin } = ctx;
    const commander = await app.login('commander');
    const mk = async (kind: string, n: number) => {
      const r = await app.request('POST', '/api/devices', {
        token: cityAdmin,
        body: { code: `LH-W-${kind}-${n}`, name: `隆回${kind}${n}`, subsystem: 'smart_water', kind, areaCode: ctx.foreign.town, ...LONGHUI },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: string; secret: string };
    };
    const camera = await mk('bullet_camera', 1);
    const speaker = await mk('loudspeaker', 2);
    const zone = await app.request('POST', '/api/zones', {
      token: cityAdmin,
      body: { name: '隆回水域', kind: 'key_water', riskLevel: 3, areaCode: ctx.foreign.town, geometry: sq(), speakerIds: [speaker.id], contacts: [{ role: 'keeper', name: '王护水', phone: '13900000999' }] },
    });
    assert.equal(zone.status, 201, JSON.stringify(zone.body));
    const rule = await app.request('POST', '/api/rules', {
      token: cityAdmin,
      body: {
        name: '隆回落水',
        areaCode: ctx.foreign.county,
        definition: {
          trigger: { type: 'event', eventKinds: ['person.in_water'] },
          zone: { kinds: ['key_water'] },
          actions: [{ type: 'raise_alert', severity: 'red', title: '落水' }, { type: 'dispatch', responderKinds: ['fast_response'] }],
        },
      },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const responder = await app.request('POST', '/api/responders', {
      token: cityAdmin,
      body: { name: '隆回快警', kind: 'fast_response', areaCode: ctx.foreign.town, lon: LONGHUI.lon + 0.001, lat: LONGHUI.lat },
    });
    assert.equal(responder.status, 201, JSON.stringify(responder.body));
    const ing = await app.request('POST', '/api/ingest/events', {
      headers: { 'x-device-token': camera.secret },
      body: { events: [{ id: 'lh-probe-1', kind: 'person.in_water', time: new Date(Date.now() - 1000).toISOString() }] },
    });
    assert.equal(ing.status, 200, JSON.stringify(ing.body));
    await app.platform.bus.drain();
    await app.services.warning.idle();
    const alerts = await app.request('GET', '/api/alerts', { token: commander });
    const alert = alerts.body.items.find((a: { areaCode: string }) => a.areaCode.startsWith(ctx.foreign.county));
    assert.ok(alert, 'a 隆回县 alert');
    const detail = await app.request('POST', `/api/alerts/${alert.id}/attachments`, {
      token: commander,
      body: { name: 'a.txt', contentType: 'text/plain', data: Buffer.from('x').toString('base64') },
    });
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    assert.equal(detail.body.dispatches.length, 1);
    return {
      zoneId: zone.body.id, ruleId: rule.body.id, alertId: alert.id, responderId: responder.body.id,
      dispatchId: detail.body.dispatches[0].id, attachmentId: detail.body.attachments[0].id, speakerId: speaker.id,
    };
  })();
  return prepared;
}

const onlyHome = (path: string, field = 'areaCode') => (res: { status: number; body: { items: Record<string, string>[] } }) => {
  if (res.status === 403) return;
  for (const item of res.body.items) assert.ok(String(item[field]).startsWith('430523'), `${path}: ${JSON.stringify(item).slice(0, 120)}`);
};

const each = (urls: (f: Foreign, c: ProbeContext) => ProbeRequest[]) => async (c: ProbeContext) => urls(await foreign(c), c);

export const probes: CrossAreaProbe[] = [
  { route: 'GET /api/zones', requests: each(() => [{ method: 'GET', url: '/api/zones', expect: onlyHome('zones') }, { method: 'GET', url: '/api/zones?areaCode=430524', expect: onlyHome('zones') }]) },
  {
    route: 'GET /api/zones/lookup',
    requests: each(() => [{ method: 'GET', url: `/api/zones/lookup?lon=${LONGHUI.lon}&lat=${LONGHUI.lat}`, expect: (res) => assert.deepEqual(res.body.items, []) }]),
  },
  { route: 'GET /api/zones/:id', requests: each((f) => [{ method: 'GET', url: `/api/zones/${f.zoneId}`, expect: denied }]) },
  {
    route: 'POST /api/zones',
    requests: each((f, c) => [
      { method: 'POST', url: '/api/zones', body: { name: 'x', kind: 'key_water', riskLevel: 2, areaCode: c.foreign.town, geometry: sq(0.001) }, expect: denied },
      // A zone of one's own covered by another county's loudspeaker.
      { method: 'POST', url: '/api/zones', body: { name: 'x', kind: 'key_water', riskLevel: 2, areaCode: c.home.town, geometry: sq(0.001), speakerIds: [f.speakerId] }, expect: denied },
    ]),
  },
  {
    route: 'PATCH /api/zones/:id',
    requests: each((f, c) => [
      { method: 'PATCH', url: `/api/zones/${f.zoneId}`, body: { name: '改名' }, expect: denied },
      { method: 'PATCH', url: `/api/zones/${f.zoneId}`, body: { areaCode: c.home.town }, expect: denied },
    ]),
  },
  { route: 'DELETE /api/zones/:id', requests: each((f) => [{ method: 'DELETE', url: `/api/zones/${f.zoneId}`, expect: denied }]) },
  {
    route: 'POST /api/zones/import',
    requests: each((_f, c) => [
      {
        method: 'POST',
        url: '/api/zones/import',
        body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: sq(0.001), properties: { name: 'x', kind: 'key_water', riskLevel: 2, areaCode: c.foreign.town } }] },
        expect: (res) => {
          if (res.status === 403) return;
          assert.equal(res.body.created + res.body.updated, 0);
        },
      },
    ]),
  },
  { route: 'POST /api/zones/:id/reveal-contacts', requests: each((f) => [{ method: 'POST', url: `/api/zones/${f.zoneId}/reveal-contacts`, expect: denied }]) },
  { route: 'GET /api/school-holidays', requests: each(() => [{ method: 'GET', url: '/api/school-holidays', expect: onlyHome('holidays') }]) },
  {
    route: 'PUT /api/school-holidays/:areaCode',
    requests: each((_f, c) => [{ method: 'PUT', url: `/api/school-holidays/${c.foreign.county}`, body: { items: [{ name: '暑假', from: '2026-07-01', to: '2026-08-31' }] }, expect: denied }]),
  },
  {
    route: 'GET /api/rules',
    // The city's own rules apply in every county and are listed read-only; no rule of 隆回县 may be.
    requests: each(() => [
      {
        method: 'GET',
        url: '/api/rules',
        expect: (res) => {
          if (res.status === 403) return;
          for (const r of res.body.items as { areaCode: string; editable: boolean }[]) {
            assert.ok(r.areaCode.startsWith('430523') || (['430500', '430000'].includes(r.areaCode) && !r.editable), JSON.stringify(r).slice(0, 120));
          }
        },
      },
    ]),
  },
  { route: 'GET /api/rules/:id', requests: each((f) => [{ method: 'GET', url: `/api/rules/${f.ruleId}`, expect: denied }]) },
  { route: 'GET /api/rules/:id/versions', requests: each((f) => [{ method: 'GET', url: `/api/rules/${f.ruleId}/versions`, expect: denied }]) },
  {
    route: 'POST /api/rules',
    requests: each((f, c) => [
      { method: 'POST', url: '/api/rules', body: { name: 'x', areaCode: c.foreign.county, definition: { trigger: { type: 'event', eventKinds: ['x'] }, actions: [{ type: 'broadcast', text: 'x' }] } }, expect: denied },
      // A rule of one's own that names another county's zone.
      { method: 'POST', url: '/api/rules', body: { name: 'x', areaCode: c.home.county, definition: { trigger: { type: 'event', eventKinds: ['x'] }, zone: { ids: [f.zoneId] }, actions: [{ type: 'broadcast', text: 'x' }] } }, expect: denied },
    ]),
  },
  {
    route: 'PATCH /api/rules/:id',
    requests: each((f) => [{ method: 'PATCH', url: `/api/rules/${f.ruleId}`, body: { enabled: false }, expect: denied }]),
  },
  {
    route: 'POST /api/rules/dry-run',
    requests: each((_f, c) => [
      { method: 'POST', url: '/api/rules/dry-run', body: { areaCode: c.foreign.county, definition: { trigger: { type: 'event', eventKinds: ['person.in_water'] }, actions: [{ type: 'broadcast', text: 'x' }] } }, expect: denied },
    ]),
  },
  { route: 'GET /api/alerts', requests: each(() => [{ method: 'GET', url: '/api/alerts?pageSize=500', expect: onlyHome('alerts') }, { method: 'GET', url: '/api/alerts?areaCode=430524', expect: onlyHome('alerts') }]) },
  {
    route: 'GET /api/alerts/stats',
    requests: each(() => [
      {
        method: 'GET',
        url: '/api/alerts/stats',
        expect: (res) => {
          if (res.status === 403) return;
          assert.ok(res.body.byCounty.every((c: { code: string }) => c.code.startsWith('430523')));
          assert.ok(res.body.latest.every((a: { areaCode: string }) => a.areaCode.startsWith('430523')));
        },
      },
    ]),
  },
  // A stream never ends, so it cannot be probed by inject; its scoping is the same inScope check as GET
  // /api/alerts/:id and is exercised by the browser test (test/browser/alerts.console.test.ts).
  { route: 'GET /api/alerts/stream', requests: async () => [] },
  { route: 'GET /api/alerts/:id', requests: each((f) => [{ method: 'GET', url: `/api/alerts/${f.alertId}`, expect: denied }]) },
  { route: 'POST /api/alerts/:id/acknowledge', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/acknowledge`, body: {}, expect: denied }]) },
  { route: 'POST /api/alerts/:id/speak', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/speak`, body: { text: '越界喊话' }, expect: denied }]) },
  { route: 'POST /api/alerts/:id/dispatch', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/dispatch`, body: {}, expect: denied }]) },
  { route: 'POST /api/alerts/:id/on-scene', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/on-scene`, expect: denied }]) },
  { route: 'POST /api/alerts/:id/close', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/close`, body: { outcome: 'false_alarm' }, expect: denied }]) },
  { route: 'POST /api/alerts/:id/comments', requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/comments`, body: { text: 'x' }, expect: denied }]) },
  {
    route: 'POST /api/alerts/:id/attachments',
    requests: each((f) => [{ method: 'POST', url: `/api/alerts/${f.alertId}/attachments`, body: { name: 'x.txt', contentType: 'text/plain', data: 'eA==' }, expect: denied }]),
  },
  { route: 'GET /api/alerts/:id/attachments/:attachmentId', requests: each((f) => [{ method: 'GET', url: `/api/alerts/${f.alertId}/attachments/${f.attachmentId}`, expect: denied }]) },
  { route: 'GET /api/responders', requests: each(() => [{ method: 'GET', url: '/api/responders', expect: onlyHome('responders') }]) },
  {
    route: 'POST /api/responders',
    requests: each((_f, c) => [{ method: 'POST', url: '/api/responders', body: { name: 'x', kind: 'fast_response', areaCode: c.foreign.town }, expect: denied }]),
  },
  {
    route: 'PATCH /api/responders/:id',
    requests: each((f) => [{ method: 'PATCH', url: `/api/responders/${f.responderId}`, body: { available: false }, expect: denied }]),
  },
  { route: 'GET /api/dispatches/mine', requests: each(() => [{ method: 'GET', url: '/api/dispatches/mine', expect: (res) => assert.deepEqual(res.body.items, []) }]) },
  { route: 'POST /api/dispatches/:id/answer', requests: each((f) => [{ method: 'POST', url: `/api/dispatches/${f.dispatchId}/answer`, expect: denied }]) },
  { route: 'POST /api/dispatches/:id/arrive', requests: each((f) => [{ method: 'POST', url: `/api/dispatches/${f.dispatchId}/arrive`, expect: denied }]) },
  { route: 'POST /api/dispatches/:id/report', requests: each((f) => [{ method: 'POST', url: `/api/dispatches/${f.dispatchId}/report`, body: { outcome: 'handled' }, expect: denied }]) },
];
