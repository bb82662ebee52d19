// Cases, mediation centres, mediators and departments: 邵阳县 accounts neither see nor touch those of 隆回县.
// The foreign data is the demo's (隆回县 and 桃花坪街道 centres, their mediators and cases) plus an attachment.
import assert from 'node:assert/strict';
import type { CrossAreaProbe, ProbeContext, ProbeRequest } from '../probe.ts';

const denied = 'denied' as const;
type Ctx = ProbeContext;

async function foreignCase(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', `/api/cases?areaCode=${c.foreign.county}`, { token: c.cityAdmin });
  const id = res.body.items?.[0]?.id as string | undefined;
  assert.ok(id, 'the demo has cases in 隆回县');
  return id;
}

async function homeCase(c: Ctx, states = 'assigned,mediating'): Promise<string> {
  const res = await c.app.request('GET', `/api/cases?areaCode=${c.home.county}&state=${states}`, { token: c.cityAdmin });
  const id = res.body.items?.[0]?.id as string | undefined;
  assert.ok(id, 'the demo has open cases in 邵阳县');
  return id;
}

async function foreignCentre(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', '/api/mediation-centres', { token: c.cityAdmin });
  const found = res.body.items.find((x: { areaCode: string }) => x.areaCode === c.foreign.county);
  assert.ok(found, 'the demo has a centre in 隆回县');
  return found.id;
}

async function foreignMediator(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', `/api/mediators?areaCode=${c.foreign.county}`, { token: c.cityAdmin });
  const id = res.body.items?.[0]?.id as string | undefined;
  assert.ok(id, 'the demo has mediators in 隆回县');
  return id;
}

async function foreignDepartment(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', '/api/case-departments', { token: c.cityAdmin });
  const found = res.body.items.find((x: { areaCode: string }) => x.areaCode.startsWith(c.foreign.county));
  assert.ok(found, 'the demo has a department in 隆回县');
  return found.id;
}

const onlyHome = (field: string) => (res: { status: number; body: { items: Record<string, string>[] } }) => {
  if (res.status === 403) return;
  assert.ok(res.body.items.every((x) => String(x[field]).startsWith('430523')), `only 430523 ${field}s`);
};

/** Every route on a foreign case answers not-found, whatever the body. */
function onForeignCase(route: string, method: string, suffix: string, body?: unknown): CrossAreaProbe {
  return { route, requests: async (c) => [{ method, url: `/api/cases/${await foreignCase(c)}${suffix}`, body, expect: denied }] };
}

const intake = (areaCode: string) => ({
  title: '越界受理', type: 'neighbour', risk: 'low', channel: 'walk_in', areaCode, summary: '越界', parties: [{ role: 'applicant', name: '测试人' }],
});

export const probes: CrossAreaProbe[] = [
  {
    route: 'GET /api/cases',
    requests: async (c) => [
      { method: 'GET', url: '/api/cases?pageSize=200', expect: onlyHome('areaCode') },
      { method: 'GET', url: `/api/cases?q=MJ${c.foreign.county}`, expect: (res) => assert.equal(res.status === 403 ? 0 : res.body.total, 0) },
      { method: 'GET', url: `/api/cases?areaCode=${c.foreign.county}`, expect: denied },
      { method: 'GET', url: '/api/cases?areaCode=430500', expect: denied },
    ],
  },
  {
    route: 'GET /api/cases/figures',
    requests: async (c) => [
      { method: 'GET', url: '/api/cases/figures', expect: (res) => res.status !== 403 && onlyHome('areaCode')({ status: res.status, body: { items: res.body.byArea } }) },
      { method: 'GET', url: `/api/cases/figures?areaCode=${c.foreign.town}`, expect: denied },
      { method: 'GET', url: '/api/cases/figures?areaCode=430500', expect: denied },
    ],
  },
  {
    route: 'POST /api/cases',
    requests: async (c) => [
      { method: 'POST', url: '/api/cases', body: intake(c.foreign.village), expect: denied },
      { method: 'POST', url: '/api/cases', body: intake('430500'), expect: denied },
    ],
  },
  onForeignCase('GET /api/cases/:id', 'GET', ''),
  onForeignCase('PATCH /api/cases/:id', 'PATCH', '', { risk: 'high' }),
  onForeignCase('POST /api/cases/:id/reveal-parties', 'POST', '/reveal-parties'),
  {
    route: 'POST /api/cases/:id/assign',
    requests: async (c): Promise<ProbeRequest[]> => [
      { method: 'POST', url: `/api/cases/${await foreignCase(c)}/assign`, body: {}, expect: denied },
      // Nor can a foreign mediator be put on a case of one's own.
      { method: 'POST', url: `/api/cases/${await homeCase(c, 'assigned')}/assign`, body: { mediatorId: await foreignMediator(c) }, expect: denied },
    ],
  },
  onForeignCase('POST /api/cases/:id/sign', 'POST', '/sign'),
  onForeignCase('POST /api/cases/:id/return', 'POST', '/return', { reason: '越界退回测试' }),
  onForeignCase('POST /api/cases/:id/sessions', 'POST', '/sessions', { note: '越界记录' }),
  onForeignCase('POST /api/cases/:id/extend', 'POST', '/extend', { days: 5, reason: '越界延期测试', partiesConsent: true }),
  onForeignCase('POST /api/cases/:id/conclude', 'POST', '/conclude', { outcome: 'withdrawn', note: '越界办结' }),
  onForeignCase('POST /api/cases/:id/follow-up', 'POST', '/follow-up', { method: 'phone', note: '越界回访' }),
  onForeignCase('POST /api/cases/:id/rate', 'POST', '/rate', { satisfaction: 1 }),
  onForeignCase('POST /api/cases/:id/escalate', 'POST', '/escalate', { reason: '越界上报测试' }),
  onForeignCase('POST /api/cases/:id/stage', 'POST', '/stage', { stage: 'petition' }),
  {
    route: 'POST /api/cases/:id/departments',
    requests: async (c): Promise<ProbeRequest[]> => [
      { method: 'POST', url: `/api/cases/${await foreignCase(c)}/departments`, body: { departmentId: await foreignDepartment(c) }, expect: denied },
      { method: 'POST', url: `/api/cases/${await homeCase(c)}/departments`, body: { departmentId: await foreignDepartment(c) }, expect: denied },
    ],
  },
  onForeignCase('POST /api/cases/:id/attachments', 'POST', '/attachments', { name: 'x.txt', contentType: 'text/plain', dataBase64: 'eA==' }),
  {
    route: 'GET /api/cases/:id/attachments/:attachmentId',
    requests: async (c) => {
      const id = await foreignCase(c);
      const lh = await c.app.login('lh_operator');
      const up = await c.app.request('POST', `/api/cases/${id}/attachments`, { token: lh, body: { name: '协议.txt', contentType: 'text/plain', dataBase64: Buffer.from('协议').toString('base64') } });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const attachment = up.body.attachments.at(-1).id as string;
      return [
        { method: 'GET', url: `/api/cases/${id}/attachments/${attachment}`, expect: denied },
        // The attachment id under a case of one's own does not reach it either.
        { method: 'GET', url: `/api/cases/${await homeCase(c)}/attachments/${attachment}`, expect: denied },
      ];
    },
  },
  {
    route: 'GET /api/mediation-centres',
    requests: async () => [{ method: 'GET', url: '/api/mediation-centres', expect: onlyHome('areaCode') }],
  },
  { route: 'GET /api/mediation-centres/:id', requests: async (c) => [{ method: 'GET', url: `/api/mediation-centres/${await foreignCentre(c)}`, expect: denied }] },
  {
    route: 'POST /api/mediation-centres',
    requests: async (c) => [
      { method: 'POST', url: '/api/mediation-centres', body: { areaCode: '430524002', name: '越界中心' }, expect: denied },
      { method: 'POST', url: '/api/mediation-centres', body: { areaCode: '430522', name: '越界县中心', leaderName: '某某' }, expect: denied },
      { method: 'POST', url: '/api/mediation-centres', body: { areaCode: c.foreign.county, name: '越界重复' }, expect: denied },
    ],
  },
  {
    route: 'PATCH /api/mediation-centres/:id',
    requests: async (c) => [{ method: 'PATCH', url: `/api/mediation-centres/${await foreignCentre(c)}`, body: { active: false }, expect: denied }],
  },
  {
    route: 'GET /api/mediators',
    requests: async (c) => [
      { method: 'GET', url: '/api/mediators', expect: onlyHome('areaCode') },
      { method: 'GET', url: `/api/mediators?centreId=${await foreignCentre(c)}`, expect: (res) => assert.equal(res.status === 403 ? 0 : res.body.items.length, 0) },
      { method: 'GET', url: `/api/mediators?areaCode=${c.foreign.county}`, expect: denied },
    ],
  },
  { route: 'GET /api/mediators/:id', requests: async (c) => [{ method: 'GET', url: `/api/mediators/${await foreignMediator(c)}`, expect: denied }] },
  {
    route: 'POST /api/mediators',
    requests: async (c) => [
      { method: 'POST', url: '/api/mediators', body: { centreId: await foreignCentre(c), name: '越界', kind: 'centre', areaCode: c.foreign.county }, expect: denied },
      { method: 'POST', url: '/api/mediators', body: { centreId: await foreignCentre(c), name: '越界', kind: 'centre', areaCode: c.home.county }, expect: denied },
    ],
  },
  {
    route: 'PATCH /api/mediators/:id',
    requests: async (c) => [{ method: 'PATCH', url: `/api/mediators/${await foreignMediator(c)}`, body: { capacity: 1 }, expect: denied }],
  },
  {
    route: 'GET /api/case-departments',
    requests: async () => [{ method: 'GET', url: '/api/case-departments', expect: (res) => {
      if (res.status === 403) return;
      assert.ok(res.body.items.every((d: { areaCode: string }) => !d.areaCode.startsWith('430524')));
    } }],
  },
  {
    route: 'POST /api/case-departments',
    requests: async (c) => [{ method: 'POST', url: '/api/case-departments', body: { areaCode: c.foreign.county, name: '越界部门', kind: 'police' }, expect: denied }],
  },
];
