// Indicators: 邵阳县 accounts neither see nor change 隆回县's definitions, figures, targets or rankings, nor the city's
// county ranking (it shows every county's figures). The foreign data: a 隆回县 definition with a figure, the demo's
// 隆回县 target, the city's ranking scheme and a run of it.
import assert from 'node:assert/strict';
import type { CrossAreaProbe, ProbeContext, ProbeRequest } from '../probe.ts';

const denied = 'denied' as const;
type Ctx = ProbeContext;
let foreignDefId: string | null = null;

async function foreignDef(c: Ctx): Promise<string> {
  if (foreignDefId) return foreignDefId;
  const res = await c.app.request('POST', '/api/indicators', {
    token: c.cityAdmin,
    body: { code: 'lh_probe', name: '隆回县自设指标', category: 'operations', polarity: 'negative', unit: '起', numerator: { source: 'entered' }, entryLevel: 'county', approvalLevels: ['city'], areaCode: c.foreign.county },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  foreignDefId = res.body.id as string;
  return foreignDefId;
}

async function cityDef(c: Ctx, code = 'petitions'): Promise<string> {
  const res = await c.app.request('GET', '/api/indicators', { token: c.cityAdmin });
  const d = res.body.items.find((x: { code: string }) => x.code === code);
  assert.ok(d, `the demo defines ${code}`);
  return d.id;
}

async function foreignValue(c: Ctx): Promise<string> {
  const id = await cityDef(c);
  const res = await c.app.request('GET', `/api/indicator-values?indicatorId=${id}&areaCode=${c.foreign.county}&state=submitted&limit=1`, { token: c.cityAdmin });
  const v = res.body.items?.[0]?.id as string | undefined;
  assert.ok(v, 'the demo has pending figures for 隆回县');
  return v;
}

async function foreignTarget(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', '/api/indicator-targets', { token: c.cityAdmin });
  const t = res.body.items.find((x: { areaCode: string }) => x.areaCode === c.foreign.county);
  assert.ok(t, 'the demo has a 隆回县 target');
  return t.id;
}

async function cityScheme(c: Ctx): Promise<string> {
  const res = await c.app.request('GET', '/api/indicator-schemes', { token: c.cityAdmin });
  const s = res.body.items?.[0]?.id as string | undefined;
  assert.ok(s, 'the demo has a county ranking scheme');
  return s;
}

const only = (check: (x: Record<string, string>) => boolean, what: string) => (res: { status: number; body: { items: Record<string, string>[] } }) => {
  if (res.status === 403) return;
  assert.ok(res.body.items.every(check), what);
};
const one = (route: string, make: (c: Ctx) => Promise<ProbeRequest[]>): CrossAreaProbe => ({ route, requests: make });

export const probes: CrossAreaProbe[] = [
  one('GET /api/indicators', async (c) => {
    await foreignDef(c);
    return [{ method: 'GET', url: '/api/indicators', expect: only((x) => x.areaCode !== c.foreign.county, 'no 隆回县 definitions') }];
  }),
  one('GET /api/indicators/:id', async (c) => [{ method: 'GET', url: `/api/indicators/${await foreignDef(c)}`, expect: denied }]),
  one('POST /api/indicators', async (c) => [{
    method: 'POST', url: '/api/indicators', expect: denied,
    body: { code: 'sy_probe_x', name: '越界指标', category: 'operations', polarity: 'negative', unit: '起', numerator: { source: 'entered' }, entryLevel: 'county', areaCode: c.foreign.county },
  }]),
  one('PATCH /api/indicators/:id', async (c) => [
    { method: 'PATCH', url: `/api/indicators/${await foreignDef(c)}`, body: { name: '改名' }, expect: denied },
    // The city's definitions are visible to a county, not editable by it.
    { method: 'PATCH', url: `/api/indicators/${await cityDef(c)}`, body: { name: '改名' }, expect: denied },
  ]),
  one('DELETE /api/indicators/:id', async (c) => [
    { method: 'DELETE', url: `/api/indicators/${await foreignDef(c)}`, expect: denied },
    { method: 'DELETE', url: `/api/indicators/${await cityDef(c)}`, expect: denied },
  ]),
  one('GET /api/indicator-report', async (c) => [
    { method: 'GET', url: `/api/indicator-report?areaCode=${c.foreign.county}`, expect: denied },
    { method: 'GET', url: '/api/indicator-report?areaCode=430500', expect: denied },
    {
      method: 'GET', url: '/api/indicator-report?period=this_year', expect: (res) => {
        if (res.status === 403) return;
        assert.equal(res.body.areaCode, c.home.county);
        assert.ok(res.body.areas.every((a: { code: string }) => a.code.startsWith(c.home.county)), 'only home towns');
      },
    },
  ]),
  one('GET /api/indicator-report/export', async (c) => [{ method: 'GET', url: `/api/indicator-report/export?areaCode=${c.foreign.county}`, expect: denied }]),
  one('GET /api/indicator-values', async (c) => [
    { method: 'GET', url: `/api/indicator-values?areaCode=${c.foreign.county}`, expect: denied },
    { method: 'GET', url: `/api/indicator-values?indicatorId=${await foreignDef(c)}`, expect: denied },
    { method: 'GET', url: '/api/indicator-values', expect: only((x) => String(x.areaCode).startsWith(c.home.county), 'only 430523 figures') },
  ]),
  one('POST /api/indicator-values', async (c) => [
    { method: 'POST', url: '/api/indicator-values', body: { indicatorId: await cityDef(c), areaCode: c.foreign.county, month: '2026-01', value: 1, source: '越界' }, expect: denied },
    { method: 'POST', url: '/api/indicator-values', body: { indicatorId: await foreignDef(c), areaCode: c.home.county, month: '2026-01', value: 1, source: '越界' }, expect: denied },
  ]),
  one('GET /api/indicator-values/:id/history', async (c) => [{ method: 'GET', url: `/api/indicator-values/${await foreignValue(c)}/history`, expect: denied }]),
  one('POST /api/indicator-values/:id/approve', async (c) => [{ method: 'POST', url: `/api/indicator-values/${await foreignValue(c)}/approve`, body: {}, expect: denied }]),
  one('POST /api/indicator-values/:id/return', async (c) => [{ method: 'POST', url: `/api/indicator-values/${await foreignValue(c)}/return`, body: { reason: '越界退回测试' }, expect: denied }]),
  one('GET /api/indicator-targets', async (c) => [{
    method: 'GET', url: '/api/indicator-targets',
    expect: only((x) => String(x.areaCode).startsWith(c.home.county) || x.areaCode === '430500' || x.areaCode === '430000', 'only own and inherited targets'),
  }]),
  one('PUT /api/indicator-targets', async (c) => [
    { method: 'PUT', url: '/api/indicator-targets', body: { indicatorId: await cityDef(c), areaCode: c.foreign.county, year: '2026', kind: 'change_pct', amount: -50 }, expect: denied },
    { method: 'PUT', url: '/api/indicator-targets', body: { indicatorId: await foreignDef(c), areaCode: c.home.county, year: '2026', kind: 'change_pct', amount: -50 }, expect: denied },
  ]),
  one('DELETE /api/indicator-targets/:id', async (c) => [{ method: 'DELETE', url: `/api/indicator-targets/${await foreignTarget(c)}`, expect: denied }]),
  one('GET /api/indicator-schemes', async (c) => [{ method: 'GET', url: '/api/indicator-schemes', expect: only((x) => String(x.areaCode).startsWith(c.home.county), 'only 430523 schemes') }]),
  one('POST /api/indicator-schemes', async (c) => [{
    method: 'POST', url: '/api/indicator-schemes', expect: denied,
    body: { name: '越界考核', areaCode: c.foreign.county, level: 'town', rules: { items: [{ indicatorId: await cityDef(c), weight: 1, measure: 'value', rule: { kind: 'ratio_to_best' } }] } },
  }]),
  one('GET /api/indicator-schemes/:id/ranking', async (c) => [{ method: 'GET', url: `/api/indicator-schemes/${await cityScheme(c)}/ranking?period=ytd`, expect: denied }]),
  one('GET /api/indicator-schemes/:id/runs', async (c) => [{ method: 'GET', url: `/api/indicator-schemes/${await cityScheme(c)}/runs`, expect: denied }]),
  one('POST /api/indicator-schemes/:id/runs', async (c) => [{ method: 'POST', url: `/api/indicator-schemes/${await cityScheme(c)}/runs`, body: { period: 'ytd' }, expect: denied }]),
  one('GET /api/indicator-rankings/:id', async (c) => {
    const res = await c.app.request('POST', `/api/indicator-schemes/${await cityScheme(c)}/runs`, { token: c.cityAdmin, body: { period: 'ytd' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return [{ method: 'GET', url: `/api/indicator-rankings/${res.body.id}`, expect: denied }];
  }),
];
