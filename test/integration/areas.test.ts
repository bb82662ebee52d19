import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';

let app: TestApp;
before(async () => {
  app = await createTestApp();
});
after(async () => app?.close());

test(`the demo city has 12 counties, 206 towns and 3,675 villages (${engine})`, async () => {
  const rows = await app.platform.db.kysely
    .selectFrom('areas')
    .select(['level', (eb) => eb.fn.countAll<number>().as('n')])
    .where('code', 'like', '4305%')
    .groupBy('level')
    .execute();
  const counts = Object.fromEntries(rows.map((r) => [r.level, Number(r.n)]));
  assert.deepEqual(counts, { city: 1, county: 12, town: 206, village: 3675 });
  const token = await app.login('commander');
  const city = await app.request('GET', '/api/areas/430500', { token });
  assert.deepEqual(city.body, { code: '430500', name: '邵阳市', level: 'city', parentCode: '430000', childCount: 12 });
  const counties = await app.request('GET', '/api/areas/430500/children', { token });
  assert.deepEqual(
    counties.body.items.map((a: { code: string }) => a.code),
    ['430502', '430503', '430511', '430522', '430523', '430524', '430525', '430527', '430528', '430529', '430581', '430582'],
  );
});

test(`boundaries: the city's 12 counties, with Shaodong's old code mapped to 430582 (${engine})`, async () => {
  const token = await app.login('commander');
  const fc = await app.request('GET', '/api/areas/430500/boundaries', { token });
  assert.equal(fc.body.type, 'FeatureCollection');
  assert.equal(fc.body.features.length, 12);
  const shaodong = fc.body.features.find((f: { id: string }) => f.id === '430582');
  assert.equal(shaodong.properties.name, '邵东市');
  assert.ok(['Polygon', 'MultiPolygon'].includes(shaodong.geometry.type));
  const op = await app.login('sy_operator');
  const own = await app.request('GET', '/api/areas/430523/boundaries', { token: op });
  assert.deepEqual(own.body.features.map((f: { id: string }) => f.id), ['430523']);
});

test(`search by name within scope, with the path (${engine})`, async () => {
  const op = await app.login('sy_operator');
  const r = await app.request('GET', '/api/areas?q=' + encodeURIComponent('塘渡口'), { token: op });
  assert.equal(r.status, 200);
  assert.equal(r.body.items[0].code, '430523100');
  assert.equal(r.body.items[0].path, '湖南省 / 邵阳市 / 邵阳县 / 塘渡口镇');
  const wild = await app.request('GET', '/api/areas?q=' + encodeURIComponent('%'), { token: op });
  assert.deepEqual(wild.body.items, []);
  const empty = await app.request('GET', '/api/areas?q=', { token: op });
  assert.equal(empty.status, 400);
});

test(`an admin adds grids under a village; the codes extend the village code (${engine})`, async () => {
  const admin = await app.login('admin');
  const g1 = await app.request('POST', '/api/areas', { token: admin, body: { parentCode: '430523100203', name: '第一网格' } });
  assert.equal(g1.status, 201);
  assert.equal(g1.body.code, '430523100203001');
  assert.equal(g1.body.level, 'grid');
  const g2 = await app.request('POST', '/api/areas', { token: admin, body: { parentCode: '430523100203', name: '第二网格' } });
  assert.equal(g2.body.code, '430523100203002');
  const village = await app.request('GET', '/api/areas/430523100203', { token: admin });
  assert.equal(village.body.childCount, 2);
  const underTown = await app.request('POST', '/api/areas', { token: admin, body: { parentCode: '430523100', name: 'x' } });
  assert.equal(underTown.status, 400);
  const op = await app.login('sy_operator');
  const denied = await app.request('POST', '/api/areas', { token: op, body: { parentCode: '430523100203', name: 'x' } });
  assert.equal(denied.status, 403);
});

test(`the OpenAPI document is generated from the route schemas (${engine})`, async () => {
  const doc = await app.request('GET', '/api/openapi.json');
  assert.equal(doc.status, 200);
  assert.match(doc.body.openapi, /^3\./);
  const login = doc.body.paths['/api/auth/login'].post;
  assert.deepEqual(login.requestBody.content['application/json'].schema.required.sort(), ['password', 'username']);
  assert.ok(doc.body.paths['/api/areas/{code}/children']);
  assert.ok(doc.body.paths['/api/users/{id}'].patch);
  const health = await app.request('GET', '/api/health');
  assert.equal(health.body.db, engine);
});
