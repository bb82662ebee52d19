// Two nodes on one database (the same SHIYU_SECRET_KEY, their own SHIYU_NODE_ID and data folder): what one process
// used to keep to itself is now shared — Digest nonces and their replay state, the login rate limit — and the small
// per-node fixes (health names the node, the device directory keeps the online flag it learns).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { digestAuthorization } from '../../src/modules/devices/gat1400/digest.ts';
import { createDevice } from './devices.helpers.ts';

let a: TestApp;
let b: TestApp;
const CAM = '43052300001320000071';
const SECRET = 'viid-secret-nodes-0123';

before(async () => {
  a = await createTestApp({ config: { nodeId: 'node-a', loginRatePerMinute: 3 } });
  b = await createTestApp({
    seed: 'none',
    clock: a.clock,
    config: {
      nodeId: 'node-b',
      loginRatePerMinute: 3,
      secretKey: a.config.secretKey!,
      databaseSchema: a.config.databaseSchema,
      sqliteFile: a.config.sqliteFile ?? path.join(a.config.dataDir, 'shiyu.db'),
    },
  });
});
after(async () => {
  await b?.close();
  await a?.close();
});

test(`/api/health names the node that answered (${engine})`, async () => {
  assert.equal((await a.request('GET', '/api/health')).body.node, 'node-a');
  assert.equal((await b.request('GET', '/api/health')).body.node, 'node-b');
});

test(`a Digest challenge from node A is answered on node B; the same answer replayed on A is refused (${engine})`, async () => {
  const integrator = await a.login('integrator');
  const created = await a.request('POST', '/api/devices', {
    token: integrator,
    body: { code: 'cam-nodes-1', gbId: CAM, name: '人脸抓拍 节点', subsystem: 'face_recognition', kind: 'face_camera', areaCode: '430523', lon: 111.27, lat: 26.99, secret: SECRET },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const body = { RegisterObject: { DeviceID: CAM } };
  const first = await a.request('POST', '/VIID/System/Register', { body, headers: { 'content-type': 'application/VIID+JSON' } });
  assert.equal(first.status, 401);
  const challenge = String(first.headers['www-authenticate']);
  assert.match(challenge, /^Digest /);
  const header = digestAuthorization({ username: CAM, password: SECRET, method: 'POST', uri: '/VIID/System/Register', challenge, nc: 1 });
  const onB = await b.request('POST', '/VIID/System/Register', { body, headers: { 'content-type': 'application/VIID+JSON', authorization: header } });
  assert.equal(onB.status, 200, JSON.stringify(onB.body));
  const replayOnA = await a.request('POST', '/VIID/System/Register', { body, headers: { 'content-type': 'application/VIID+JSON', authorization: header } });
  assert.equal(replayOnA.status, 401);
  assert.match(JSON.stringify(replayOnA.body), /replay/);
  const next = digestAuthorization({ username: CAM, password: SECRET, method: 'POST', uri: '/VIID/System/Register', challenge, nc: 2 });
  assert.equal((await a.request('POST', '/VIID/System/Register', { body, headers: { 'content-type': 'application/VIID+JSON', authorization: next } })).status, 200);
});

test(`the login rate limit per IP counts the sign-ins on every node (${engine})`, async () => {
  const attempt = (app: TestApp, i: number) =>
    app.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.8.7', payload: { username: `nobody-${i}`, password: 'wrong-password' } });
  assert.equal((await attempt(a, 1)).statusCode, 401);
  assert.equal((await attempt(a, 2)).statusCode, 401);
  assert.equal((await attempt(b, 3)).statusCode, 401);
  const limited = await attempt(b, 4);
  assert.equal(limited.statusCode, 429, limited.body);
  // Another address has its own count.
  const other = await a.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.8.8', payload: { username: 'nobody-5', password: 'wrong-password' } });
  assert.equal(other.statusCode, 401);
});

test(`the device directory keeps the online flag it learns: the next message is not a first one (${engine})`, async () => {
  const integrator = await a.login('integrator');
  const d = await createDevice(a, integrator);
  const dir = a.services.devices.directory;
  const before = await dir.byCode(d.code);
  assert.equal(before?.online, false);
  await a.services.devices.health.touch(before!);
  const row = await a.platform.db.kysely.selectFrom('devices').select('online').where('id', '=', d.id).executeTakeFirstOrThrow();
  assert.equal(row.online, 1);
  // The code cache (the external broker's path) now says online, so touch() does not UPDATE again.
  assert.equal((await dir.byCode(d.code))?.online, true);
});

test(`an open alert stream (SSE) is ended when the server closes, so the shutdown does not wait on it (${engine})`, async () => {
  const c = await createTestApp();
  const token = await c.login('sy_operator');
  await c.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = c.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const ended = new Promise<string>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/alerts/stream', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes(': connected')) connected();
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
  });
  let connected: () => void = () => {};
  await new Promise<void>((resolve) => (connected = resolve));
  // Fastify waits for open connections before its onClose hooks: this close() finishes only if preClose ended the stream.
  await c.close();
  assert.match(await ended, /: connected/);
});
