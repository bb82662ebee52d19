// The outbox survives a hard kill of the real server process: a notification that was being sent when the process
// died is sent again after its lease (with the same idempotency key), a retry that was planned still happens, and
// replaying the same dedupe key after the restart queues nothing new.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { engine } from '../helpers/app.ts';

interface Hit {
  path: string;
  id: string;
}

let server: TestServer;
const hits: Hit[] = [];
let holdFirstHook = true;
const held: http.ServerResponse[] = [];
const failFirst = new Set<string>();
const gateway = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const id = String(req.headers['idempotency-key'] ?? '');
    hits.push({ path: req.url ?? '', id });
    // The first webhook request never gets an answer: the server is killed while it waits.
    if (req.url === '/hook' && holdFirstHook) {
      holdFirstHook = false;
      held.push(res);
      return;
    }
    // Each SMS fails once (its retry is planned when the server dies), then succeeds.
    if (req.url === '/sms' && !failFirst.has(id)) {
      failFirst.add(id);
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${hits.length}` }));
  });
});
let gwUrl = '';

before(async () => {
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gwUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  server = await startTestServer({ env: { NOTIFY_LEASE_SECONDS: '3', NOTIFY_POLL_MS: '200' } });
});

after(async () => {
  for (const r of held) r.destroy();
  await server?.dispose();
  gateway.closeAllConnections();
  await new Promise<void>((r) => gateway.close(() => r()));
});

async function call(method: string, url: string, token: string | null, body?: unknown) {
  const res = await fetch(server.url + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function login(): Promise<string> {
  const r = await call('POST', '/api/auth/login', null, { username: 'sy_operator', password: 'Shiyu@2026' });
  assert.equal(r.status, 200);
  return r.body.token as string;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test(`the outbox survives a hard kill: no notification is lost or queued twice (${engine})`, { timeout: 180_000 }, async () => {
  let token = await login();
  for (const [kind, config] of [
    ['webhook', { url: `${gwUrl}/hook`, secret: 'restart-secret-0123456789' }],
    ['sms', { url: `${gwUrl}/sms` }],
  ] as const) {
    const r = await call('POST', '/api/notify/channels', token, { kind, name: `restart ${kind}`, areaCode: '430523', config });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const me = (await call('GET', '/api/auth/me', token)).body;
  const hook = { channel: 'webhook', recipient: { kind: 'user', id: me.id }, text: '水边危险，请速离开', trace: { alertId: 'alert-r1', ruleId: 'rule-r1' }, dedupeKey: 'restart-hook' };
  const first = await call('POST', '/api/notify/notifications', token, hook);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const hookId = first.body.items[0].id as string;
  const smsIds: string[] = [];
  for (const n of [1, 2, 3]) {
    const r = await call('POST', '/api/notify/notifications', token, {
      channel: 'sms', recipient: { kind: 'address', address: `1390000100${n}` }, areaCode: '430523', text: `短信 ${n}`, trace: { alertId: 'alert-r1' }, dedupeKey: `restart-sms-${n}`,
    });
    smsIds.push(r.body.items[0].id);
  }
  await until('the webhook request to be in flight', async () => hits.some((h) => h.id === hookId));
  await until('every SMS to have failed once', async () => smsIds.every((id) => hits.some((h) => h.id === id)));
  const before = (await call('GET', `/api/notify/notifications/${hookId}`, token)).body;
  assert.equal(before.state, 'sending');

  await server.kill();
  await server.restart();
  token = await login();

  const replay = await call('POST', '/api/notify/notifications', token, hook);
  assert.equal(replay.status, 201);
  assert.deepEqual(replay.body.items.map((i: { id: string; created: boolean }) => [i.id, i.created]), [[hookId, false]], 'the same dedupe key queues nothing new');

  const delivered = await until('everything to be delivered', async () => {
    const list = await call('GET', '/api/notify/notifications?alertId=alert-r1&pageSize=50', token);
    return list.body.items.length === 4 && list.body.items.every((n: { state: string }) => n.state === 'delivered') ? list.body.items : null;
  });
  assert.equal(delivered.length, 4);
  const detail = (await call('GET', `/api/notify/notifications/${hookId}`, token)).body;
  assert.equal(detail.attempts, 2, 'taken again after the lease expired');
  assert.deepEqual(detail.history.map((h: { outcome: string }) => h.outcome), ['delivered'], 'the killed attempt left no outcome');
  const hookHits = hits.filter((h) => h.path === '/hook');
  assert.equal(hookHits.length, 2);
  assert.deepEqual([...new Set(hookHits.map((h) => h.id))], [hookId], 'both requests carry the same idempotency key');
  for (const id of smsIds) {
    assert.equal(hits.filter((h) => h.id === id).length, 2, 'each SMS: one failure before the kill, one delivery after');
  }
});
