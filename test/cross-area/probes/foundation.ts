import assert from 'node:assert/strict';
import type { CrossAreaProbe } from '../probe.ts';

const denied = 'denied' as const;

async function foreignUserId(ctx: Parameters<CrossAreaProbe['requests']>[0]): Promise<string> {
  const res = await ctx.app.request('GET', '/api/users?q=lh_operator', { token: ctx.cityAdmin });
  const id = res.body.items[0]?.id as string | undefined;
  assert.ok(id, 'the foreign user exists');
  return id;
}

export const probes: CrossAreaProbe[] = [
  { route: 'POST /api/auth/logout', requests: async () => [] },
  { route: 'GET /api/auth/me', requests: async () => [] },
  {
    route: 'GET /api/areas',
    requests: async () => [
      {
        method: 'GET',
        url: '/api/areas?q=' + encodeURIComponent('隆回'),
        expect: (res) => assert.deepEqual(res.body.items.filter((a: { code: string }) => a.code.startsWith('430524')), []),
      },
      {
        method: 'GET',
        url: '/api/areas?q=' + encodeURIComponent('村') + '&limit=100',
        expect: (res) => assert.ok(res.body.items.every((a: { code: string }) => a.code.startsWith('430523'))),
      },
    ],
  },
  {
    route: 'GET /api/areas/:code',
    requests: async (c) => [c.foreign.county, c.foreign.town, c.foreign.village, '430500'].map((code) => ({ method: 'GET', url: `/api/areas/${code}`, expect: denied })),
  },
  {
    route: 'GET /api/areas/:code/children',
    requests: async (c) => [c.foreign.county, c.foreign.town, '430500'].map((code) => ({ method: 'GET', url: `/api/areas/${code}/children`, expect: denied })),
  },
  {
    route: 'GET /api/areas/:code/boundaries',
    requests: async (c) =>
      [c.foreign.county, '430500'].flatMap((code) => ['', '?level=town', '?level=village'].map((q) => ({ method: 'GET', url: `/api/areas/${code}/boundaries${q}`, expect: denied }))),
  },
  {
    route: 'POST /api/areas',
    requests: async (c) => [{ method: 'POST', url: '/api/areas', body: { parentCode: c.foreign.village, name: '越界网格' }, expect: denied }],
  },
  {
    route: 'GET /api/users',
    requests: async () => [
      {
        method: 'GET',
        url: '/api/users?pageSize=200',
        expect: (res) => {
          if (res.status === 403) return;
          assert.ok(res.body.items.every((u: { areaCode: string }) => u.areaCode.startsWith('430523')));
        },
      },
    ],
  },
  { route: 'GET /api/users/:id', requests: async (c) => [{ method: 'GET', url: `/api/users/${await foreignUserId(c)}`, expect: denied }] },
  {
    route: 'POST /api/users',
    requests: async (c) => [
      { method: 'POST', url: '/api/users', body: { username: 'intruder1', displayName: 'x', role: 'grid_worker', areaCode: c.foreign.village, password: 'Passw0rd!x' }, expect: denied },
      { method: 'POST', url: '/api/users', body: { username: 'intruder2', displayName: 'x', role: 'admin', areaCode: '430500', password: 'Passw0rd!x' }, expect: denied },
    ],
  },
  {
    route: 'PATCH /api/users/:id',
    requests: async (c) => {
      const id = await foreignUserId(c);
      return [
        { method: 'PATCH', url: `/api/users/${id}`, body: { disabled: true }, expect: denied },
        { method: 'PATCH', url: `/api/users/${id}`, body: { password: 'Hijacked!123' }, expect: denied },
      ];
    },
  },
  { route: 'POST /api/users/:id/revoke-sessions', requests: async (c) => [{ method: 'POST', url: `/api/users/${await foreignUserId(c)}/revoke-sessions`, expect: denied }] },
  { route: 'POST /api/users/:id/reveal-phone', requests: async (c) => [{ method: 'POST', url: `/api/users/${await foreignUserId(c)}/reveal-phone`, expect: denied }] },
  {
    route: 'GET /api/audit',
    requests: async () => [
      {
        method: 'GET',
        url: '/api/audit?pageSize=500',
        expect: (res) => {
          if (res.status === 403) return;
          assert.ok(res.body.items.every((a: { areaCode: string | null }) => a.areaCode?.startsWith('430523')));
        },
      },
    ],
  },
  { route: 'GET /api/tokens', requests: async () => [] },
  { route: 'POST /api/tokens', requests: async () => [] },
  {
    route: 'DELETE /api/tokens/:id',
    requests: async (c) => {
      const integrator = await c.app.login('integrator');
      const t = await c.app.request('POST', '/api/tokens', { token: integrator, body: { name: 'city feed' } });
      return [{ method: 'DELETE', url: `/api/tokens/${t.body.id}`, expect: denied }];
    },
  },
];
