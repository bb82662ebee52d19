import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';

let app: TestApp;
const clock = new FakeClock('2026-05-22T06:00:00.000Z');
before(async () => {
  app = await createTestApp({ clock });
});
after(async () => app?.close());

test(`login returns a session that works as bearer and cookie, and logout revokes it (${engine})`, async () => {
  const res = await app.request('POST', '/api/auth/login', { body: { username: 'sy_operator', password: 'Shiyu@2026' } });
  assert.equal(res.status, 200);
  assert.equal(res.body.user.areaCode, '430523');
  assert.equal(res.body.user.areaName, '邵阳县');
  assert.ok(res.body.user.permissions.includes('alerts:handle'));
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /shiyu_session=.*HttpOnly.*SameSite=Strict/i);
  const viaCookie = await app.request('GET', '/api/auth/me', { headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(viaCookie.status, 200);
  assert.equal(viaCookie.body.username, 'sy_operator');
  const out = await app.request('POST', '/api/auth/logout', { token: res.body.token });
  assert.equal(out.status, 200);
  const again = await app.request('GET', '/api/auth/me', { token: res.body.token });
  assert.equal(again.status, 401);
  assert.equal(again.body.error.code, 'auth.required');
});

test(`a wrong password is refused with a stable code, and the account locks after repeated failures (${engine})`, async () => {
  for (let i = 0; i < 5; i++) {
    const r = await app.request('POST', '/api/auth/login', { body: { username: 'sy_town', password: 'wrong-password' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'auth.invalid_credentials');
  }
  const locked = await app.request('POST', '/api/auth/login', { body: { username: 'sy_town', password: 'Shiyu@2026' } });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.error.code, 'auth.locked');
  clock.advance(16 * 60_000);
  const ok = await app.request('POST', '/api/auth/login', { body: { username: 'sy_town', password: 'Shiyu@2026' } });
  assert.equal(ok.status, 200);
  const unknown = await app.request('POST', '/api/auth/login', { body: { username: 'nobody', password: 'whatever1' } });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.body.error.code, 'auth.invalid_credentials');
});

test(`sessions expire (${engine})`, async () => {
  const token = await app.login('sy_grid');
  assert.equal((await app.request('GET', '/api/auth/me', { token })).status, 200);
  clock.advance(app.config.sessionTtlHours * 3600_000 + 1000);
  assert.equal((await app.request('GET', '/api/auth/me', { token })).status, 401);
});

test(`an admin creates a user in scope; the phone is stored encrypted, shown masked, revealed with an audit record (${engine})`, async () => {
  const admin = await app.login('admin');
  const created = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'sy_grid2', displayName: '网格员二', role: 'grid_worker', areaCode: '430523100203', password: 'Grid#Worker2', phone: '13912345678' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.phoneMasked, '139****5678');
  assert.equal(created.body.areaName, '梅子院村');
  const row = await app.platform.db.kysely.selectFrom('users').selectAll().where('username', '=', 'sy_grid2').executeTakeFirstOrThrow();
  assert.ok(row.phone_enc && !row.phone_enc.includes('13912345678'));
  assert.ok(!row.password_hash.includes('Grid#Worker2'));

  const revealed = await app.request('POST', `/api/users/${created.body.id}/reveal-phone`, { token: admin });
  assert.equal(revealed.body.phone, '13912345678');
  const audit = await app.request('GET', `/api/audit?action=pii.read&entityId=${created.body.id}`, { token: admin });
  assert.equal(audit.body.total, 1);
  assert.deepEqual(audit.body.items[0].detail, { fields: ['phone'] });
  assert.equal(audit.body.items[0].actorName, 'admin');

  const dup = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'sy_grid2', displayName: 'x', role: 'grid_worker', areaCode: '430523100203', password: 'Grid#Worker2' },
  });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'user.username_taken');
});

test(`bad input gets an error naming the field and changes nothing (${engine})`, async () => {
  const admin = await app.login('admin');
  const before = await app.request('GET', '/api/users?pageSize=200', { token: admin });
  const r = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'ok_name', displayName: 'x', role: 'emperor', areaCode: '43', password: 'short' },
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'validation.failed');
  const fields = r.body.error.details.issues.map((i: { field: string }) => i.field).sort();
  assert.deepEqual(fields, ['body.areaCode', 'body.password', 'body.role']);
  const noArea = await app.request('POST', '/api/users', {
    token: admin,
    body: { username: 'ok_name', displayName: 'x', role: 'grid_worker', areaCode: '430523999999', password: 'Long#enough1' },
  });
  assert.equal(noArea.status, 404);
  const afterList = await app.request('GET', '/api/users?pageSize=200', { token: admin });
  assert.equal(afterList.body.total, before.body.total);
});

test(`disabling a user ends their sessions; roles without a permission are refused (${engine})`, async () => {
  const admin = await app.login('admin');
  const responder = await app.login('sy_responder');
  const list = await app.request('GET', '/api/users?q=sy_responder', { token: admin });
  const id = list.body.items[0].id as string;
  const forbidden = await app.request('GET', '/api/users', { token: responder });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'auth.permission_denied');
  const dis = await app.request('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } });
  assert.equal(dis.body.disabled, true);
  assert.equal((await app.request('GET', '/api/auth/me', { token: responder })).status, 401);
  const relogin = await app.request('POST', '/api/auth/login', { body: { username: 'sy_responder', password: 'Shiyu@2026' } });
  assert.equal(relogin.status, 401);
  await app.request('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: false } });
  assert.equal((await app.request('POST', '/api/auth/login', { body: { username: 'sy_responder', password: 'Shiyu@2026' } })).status, 200);
});

test(`API tokens: shown once, work as bearer, can be revoked (${engine})`, async () => {
  const integrator = await app.login('integrator');
  const created = await app.request('POST', '/api/tokens', { token: integrator, body: { name: '视频平台对接', days: 30 } });
  assert.equal(created.status, 201);
  assert.match(created.body.token, /^shy_/);
  const me = await app.request('GET', '/api/auth/me', { token: created.body.token });
  assert.equal(me.body.username, 'integrator');
  const list = await app.request('GET', '/api/tokens', { token: integrator });
  assert.equal(list.body.items.length, 1);
  assert.ok(!JSON.stringify(list.body).includes(created.body.token));
  await app.request('DELETE', `/api/tokens/${created.body.id}`, { token: integrator });
  assert.equal((await app.request('GET', '/api/auth/me', { token: created.body.token })).status, 401);
});
