import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';

let app: TestApp;
before(async () => {
  app = await createTestApp();
});
after(async () => app?.close());

test(`every change and every personal-data read is recorded with who, when, what and where from (${engine})`, async () => {
  const admin = await app.login('admin');
  const created = await app.request('POST', '/api/users', {
    token: admin,
    headers: { 'x-forwarded-for': '10.20.30.40' },
    body: { username: 'audited', displayName: '被审计', role: 'mediator', areaCode: '430523100', password: 'Mediator#1', phone: '13700000000' },
  });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  await app.request('PATCH', `/api/users/${id}`, { token: admin, body: { displayName: '改名' } });
  await app.request('POST', `/api/users/${id}/reveal-phone`, { token: admin });
  await app.request('POST', '/api/areas', { token: admin, body: { parentCode: '430523100203', name: '审计网格' } });

  const log = await app.request('GET', `/api/audit?entityId=${id}`, { token: admin });
  const actions = log.body.items.map((a: { action: string }) => a.action).sort();
  assert.deepEqual(actions, ['pii.read', 'user.create', 'user.update']);
  const create = log.body.items.find((a: { action: string }) => a.action === 'user.create');
  assert.equal(create.actorName, 'admin');
  assert.equal(create.ip, '10.20.30.40');
  assert.equal(create.areaCode, '430523100');
  assert.ok(!JSON.stringify(log.body).includes('13700000000'), 'the audit trail never holds the personal data itself');
  const grid = await app.request('GET', '/api/audit?action=area.create', { token: admin });
  assert.equal(grid.body.items[0].entityId, '430523100203001');
  const logins = await app.request('GET', '/api/audit?action=auth.login', { token: admin });
  assert.ok(logins.body.total >= 1);
});

test(`audit records cannot be changed or deleted: no route, and the engine refuses (${engine})`, async () => {
  const admin = await app.login('admin');
  const first = (await app.request('GET', '/api/audit?pageSize=1', { token: admin })).body.items[0];
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const r = await app.request(method, `/api/audit/${first.id}`, { token: admin, body: {} });
    assert.equal(r.status, 404, method);
    const r2 = await app.request(method, '/api/audit', { token: admin, body: {} });
    assert.equal(r2.status, 404, method);
  }
  const db = app.platform.db.kysely;
  await assert.rejects(sql`update audit_log set action = 'forged' where id = ${first.id}`.execute(db), /append-only/);
  await assert.rejects(sql`delete from audit_log where id = ${first.id}`.execute(db), /append-only/);
  const still = (await app.request('GET', `/api/audit?entityId=${first.entityId}`, { token: admin })).body.items;
  assert.ok(still.some((a: { id: string; action: string }) => a.id === first.id && a.action === first.action));
});

test(`audit reads are scoped and need the permission (${engine})`, async () => {
  const op = await app.login('sy_operator');
  assert.equal((await app.request('GET', '/api/audit', { token: op })).status, 403);
});
