// Notifications through the real app: the outbox, its worker and real channel endpoints on this machine (an HTTP
// receiver standing in for the webhook, SMS and voice gateways; smtp-server for e-mail).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/access.ts';
import { verifyWebhook } from '../../src/modules/notify/notify.channels.ts';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A gateway stand-in: records every request and answers with the next queued status (200 when none). */
function receiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { id: `gw-${received.length}` } : { error: 'nope' }));
    });
  });
  return {
    received,
    statuses,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const clock = new FakeClock('2026-05-22T06:00:00.000Z');
let app: TestApp;
let admin: string;
let operator: string;
const gw = receiver();
let gwUrl = '';
const mails: { to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const secret = 'webhook-secret-0123456789';

before(async () => {
  app = await createTestApp({ clock });
  admin = await app.login('admin');
  operator = await app.login('sy_operator');
  gwUrl = await gw.listen();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  // County-level live channels: more specific than the city's demo sink channels, so they win for 邵阳县.
  for (const [kind, config] of [
    ['webhook', { url: `${gwUrl}/hook`, secret }],
    ['sms', { url: `${gwUrl}/sms`, token: 'sms-token', sender: '市域治理' }],
    ['voice', { url: `${gwUrl}/voice`, token: 'voice-token', repeat: 3 }],
    ['email', { host: '127.0.0.1', port: smtpPort, secure: false, from: 'alerts@shiyu.test' }],
  ] as const) {
    const r = await app.request('POST', '/api/notify/channels', { token: operator, body: { kind, name: `邵阳县 ${kind}`, areaCode: '430523', config } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

after(async () => {
  await app?.close();
  await gw.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const notify = () => app.services.notify;
const worker = () => app.services.notify.worker;
const sys = systemActor('rule-engine');
const rows = () => app.platform.db.kysely.selectFrom('notifications').selectAll();

test(`enqueue is idempotent on the dedupe key and traces back to the alert and rule (${engine})`, async () => {
  const input = {
    recipient: { kind: 'address' as const, address: '13900001111' },
    areaCode: '430523100203',
    template: 'drowning.student_at_water',
    params: { student: '张小明', time: '14:03', place: '资江梅子院段' },
    trace: { alertId: 'alert-1', ruleId: 'rule-1' },
    dedupeKey: 'alert-1:rule-1:guardian-1',
  };
  const first = await notify().enqueue(sys, input);
  const again = await notify().enqueue(sys, input);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.channel, 'sms');
  assert.equal(first[0]!.created, true);
  assert.deepEqual(again.map((r) => [r.id, r.created]), [[first[0]!.id, false]]);
  const stored = await rows().where('dedupe_key', 'like', 'alert-1:rule-1:guardian-1%').execute();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.alert_id, 'alert-1');
  assert.equal(stored[0]!.rule_id, 'rule-1');
  assert.ok(!stored[0]!.body_enc.includes('张小明'), 'the text is encrypted at rest');
  assert.ok(!stored[0]!.address_enc!.includes('13900001111'));

  assert.equal(await worker().runOnce(), 1);
  const sms = gw.received.find((r) => r.path === '/sms' && r.body.includes(first[0]!.id));
  assert.ok(sms, 'the SMS gateway was called');
  const payload = JSON.parse(sms.body);
  assert.equal(payload.to, '13900001111');
  assert.match(payload.text, /张小明同学于14:03出现在资江梅子院段附近/);
  assert.equal(sms.headers.authorization, 'Bearer sms-token');
  assert.equal(sms.headers['idempotency-key'], first[0]!.id);

  const list = await app.request('GET', '/api/notify/notifications?alertId=alert-1', { token: operator });
  assert.equal(list.status, 200);
  assert.equal(list.body.total, 1);
  assert.equal(list.body.items[0].state, 'delivered');
  assert.equal(list.body.items[0].address, '139****1111');
  assert.deepEqual(list.body.items[0].trace, { alertId: 'alert-1', ruleId: 'rule-1', caseId: null });
});

test(`a notification enqueued in the caller's transaction exists only if the caller commits (${engine})`, async () => {
  const db = app.platform.db.kysely;
  const base = { recipient: { kind: 'address' as const, address: '13900002222' }, areaCode: '430523', text: '测试', trace: { alertId: 'alert-tx' } };
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await notify().enqueue(sys, { ...base, dedupeKey: 'tx-rolled-back' }, trx);
      throw new Error('the caller fails after enqueueing');
    }),
    /the caller fails/,
  );
  await db.transaction().execute(async (trx) => {
    await notify().enqueue(sys, { ...base, dedupeKey: 'tx-committed' }, trx);
  });
  const keys = (await rows().where('alert_id', '=', 'alert-tx').execute()).map((r) => r.dedupe_key);
  assert.deepEqual(keys, ['tx-committed|sms']);
});

test(`prepare, then writePrepared: many notifications in one write, an unreachable one set apart, each audited once (${engine})`, async () => {
  const db = app.platform.db.kysely;
  const audits = () => db.selectFrom('audit_log').selectAll().where('action', '=', 'notification.enqueue').where('entity_type', '=', 'notification').execute();
  const before = (await audits()).length;
  const inputs = [
    { recipient: { kind: 'address' as const, address: '13900003331' }, areaCode: '430523', text: '批量一', trace: { alertId: 'alert-batch' }, dedupeKey: 'batch-1' },
    { recipient: { kind: 'address' as const, address: 'ops@example.org' }, channel: 'sms' as const, areaCode: '430523', text: '批量二', trace: { alertId: 'alert-batch' }, dedupeKey: 'batch-2' },
    { recipient: { kind: 'address' as const, address: '13900003333' }, areaCode: '430523', text: '批量三', trace: { alertId: 'alert-batch' }, dedupeKey: 'batch-3' },
  ];
  const prepared = await notify().prepare(sys, inputs);
  assert.deepEqual(prepared.map((p) => p.error?.code ?? null), [null, 'notify.no_address', null], 'an e-mail address cannot take an SMS');
  const first = await db.transaction().execute((trx) => notify().writePrepared(sys, prepared, trx));
  assert.deepEqual(first.map((refs) => refs.map((r) => [r.channel, r.created])), [[['sms', true]], [], [['sms', true]]]);
  const stored = await rows().where('alert_id', '=', 'alert-batch').orderBy('dedupe_key').execute();
  assert.deepEqual(stored.map((r) => r.dedupe_key), ['batch-1|sms', 'batch-3|sms']);
  assert.deepEqual(stored.map((r) => r.id).sort(), first.flat().map((r) => r.id).sort());
  assert.equal((await audits()).length, before + 2, 'one audit record per notification written');
  // Written again (a replayed rule): the first rows are answered, nothing is written or audited twice.
  const again = await notify().writePrepared(sys, await notify().prepare(sys, inputs));
  assert.deepEqual(again.map((refs) => refs.map((r) => [r.id, r.created])), first.map((refs) => refs.map((r) => [r.id, false])));
  assert.equal((await rows().where('alert_id', '=', 'alert-batch').execute()).length, 2);
  assert.equal((await audits()).length, before + 2);
});

test(`webhooks are signed with a timestamp; the receiver can verify them (${engine})`, async () => {
  const [ref] = await notify().enqueue(sys, {
    channel: 'webhook', recipient: { kind: 'user', id: await userId('sy_town') }, text: '预警：梅子院村水域有人', trace: { alertId: 'alert-hook', ruleId: 'r' }, dedupeKey: 'hook-1',
  });
  await worker().runOnce();
  const hit = gw.received.find((r) => r.path === '/hook' && r.body.includes(ref!.id));
  assert.ok(hit);
  const ts = String(hit.headers['x-shiyu-timestamp']);
  assert.equal(ts, String(Math.floor(clock.now().getTime() / 1000)));
  assert.ok(verifyWebhook(secret, ts, hit.body, String(hit.headers['x-shiyu-signature']), clock.now().getTime()));
  assert.ok(!verifyWebhook(secret, ts, hit.body.replace('梅子院村', '别的村'), String(hit.headers['x-shiyu-signature']), clock.now().getTime()), 'a changed body fails');
  assert.ok(!verifyWebhook('wrong-secret-xxxxxxxx', ts, hit.body, String(hit.headers['x-shiyu-signature']), clock.now().getTime()));
  assert.deepEqual(JSON.parse(hit.body).trace, { alertId: 'alert-hook', ruleId: 'r', caseId: null });
});

test(`failures are retried with exponential back-off, then delivered; a refused request is dead at once (${engine})`, async () => {
  gw.statuses.push(503, 500);
  const [ref] = await notify().placeCall(sys, {
    recipient: { kind: 'address', address: '13900003333' }, areaCode: '430523', template: 'drowning.call', params: { student: '李华', place: '资江' }, trace: { alertId: 'a-call' }, dedupeKey: 'call-1',
  });
  assert.equal(ref!.channel, 'voice');
  await worker().runOnce();
  let row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'failed');
  assert.equal(row.attempts, 1);
  assert.match(row.last_error ?? '', /HTTP 503/);
  const firstDelay = Date.parse(row.next_attempt_at) - clock.now().getTime();
  assert.ok(firstDelay >= 4500 && firstDelay <= 5500, `first retry after ~5 s, got ${firstDelay}`);
  assert.equal(await worker().runOnce(), 0, 'not due yet');
  clock.advance(firstDelay);
  await worker().runOnce();
  row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'failed');
  const secondDelay = Date.parse(row.next_attempt_at) - clock.now().getTime();
  assert.ok(Math.abs(secondDelay - 2 * firstDelay) < 2, `the delay doubles: ${firstDelay} → ${secondDelay}`);
  clock.advance(secondDelay);
  await worker().runOnce();
  row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'delivered');
  assert.equal(row.attempts, 3);
  const calls = gw.received.filter((r) => r.path === '/voice' && r.body.includes(ref!.id));
  assert.equal(calls.length, 3);
  assert.equal(JSON.parse(calls[2]!.body).repeat, 3);
  const detail = await app.request('GET', `/api/notify/notifications/${ref!.id}`, { token: operator });
  assert.deepEqual(detail.body.history.map((h: { outcome: string }) => h.outcome), ['failed', 'failed', 'delivered']);
  assert.match(detail.body.body, /李华同学出现在资江附近/);

  gw.statuses.push(400);
  const [refused] = await notify().enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900004444' }, areaCode: '430523', text: 'x', dedupeKey: 'refused-1' });
  await worker().runOnce();
  const dead = await rows().where('id', '=', refused!.id).executeTakeFirstOrThrow();
  assert.equal(dead.state, 'dead');
  assert.equal(dead.attempts, 1);
});

test(`after the last attempt a notification is dead; an operator retries it from the log (${engine})`, async () => {
  const max = app.config.notifyMaxAttempts;
  for (let i = 0; i < max; i++) gw.statuses.push(502);
  const [ref] = await notify().enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900005555' }, areaCode: '430523', text: 'y', dedupeKey: 'dies-1' });
  for (let i = 0; i < max; i++) {
    await worker().runOnce();
    clock.advance(3 * 3600_000);
  }
  // The fake clock moved past the session lifetime: sign in again.
  operator = await app.login('sy_operator');
  admin = await app.login('admin');
  const row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'dead');
  assert.equal(row.attempts, max);
  const listed = await app.request('GET', '/api/notify/notifications?state=dead&channel=sms', { token: operator });
  assert.ok(listed.body.items.some((n: { id: string }) => n.id === ref!.id));
  const retried = await app.request('POST', `/api/notify/notifications/${ref!.id}/retry`, { token: operator });
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(retried.body.state, 'queued');
  await worker().runOnce();
  assert.equal((await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow()).state, 'delivered');
  const again = await app.request('POST', `/api/notify/notifications/${ref!.id}/retry`, { token: operator });
  assert.equal(again.status, 422);
  assert.equal(again.body.error.code, 'notification.not_retryable');
});

test(`e-mail goes out over SMTP (${engine})`, async () => {
  const [ref] = await notify().enqueue(sys, {
    recipient: { kind: 'address', address: 'teacher@school.test' }, areaCode: '430523', subject: '防溺水预警', text: '王老师：您班学生出现在水域附近。', dedupeKey: 'mail-1',
  });
  assert.equal(ref!.channel, 'email');
  await worker().runOnce();
  const row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'delivered', row.last_error ?? '');
  const mail = mails.find((m) => m.data.includes(ref!.id));
  assert.ok(mail, 'the SMTP server received the message');
  assert.deepEqual(mail.to, ['teacher@school.test']);
  assert.match(mail.data, /Subject: =\?UTF-8\?/);
});

test(`a stuck "sending" notification is taken again after its lease, and only once (${engine})`, async () => {
  const [ref] = await notify().enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900006666' }, areaCode: '430523', text: 'z', dedupeKey: 'stuck-1' });
  // A worker that died mid-send: claimed (sending, attempt 1) and never finished.
  const claimed = await app.platform.db.kysely
    .updateTable('notifications')
    .set({ state: 'sending', attempts: 1, lease_until: new Date(clock.now().getTime() + 60_000).toISOString() })
    .where('id', '=', ref!.id)
    .executeTakeFirst();
  assert.equal(Number(claimed.numUpdatedRows), 1);
  assert.equal(await worker().runOnce(), 0, 'leased to the dead worker');
  clock.advance(61_000);
  const [a, b] = await Promise.all([worker().runOnce(), worker().runOnce()]);
  assert.equal(a + b >= 1, true);
  const row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'delivered');
  assert.equal(row.attempts, 2);
  assert.equal(gw.received.filter((r) => r.body.includes(ref!.id)).length, 1);
});

test(`in-app messages land in the user's inbox; preferences choose the channels (${engine})`, async () => {
  const townId = await userId('sy_town');
  const town = await app.login('sy_town');
  const refs = await notify().enqueue(sys, { recipient: { kind: 'user', id: townId }, text: '请确认预警', trace: { alertId: 'a-inbox' }, dedupeKey: 'inbox-1' });
  assert.deepEqual(refs.map((r) => r.channel).sort(), ['inapp', 'sms'], 'defaults for a user with a phone');
  await worker().runOnce();
  const inbox = await app.request('GET', '/api/notify/inbox', { token: town });
  assert.equal(inbox.status, 200);
  const item = inbox.body.items.find((i: { trace: { alertId: string } }) => i.trace.alertId === 'a-inbox');
  assert.equal(item.body, '请确认预警');
  assert.equal(item.readAt, null);
  assert.equal((await app.request('POST', `/api/notify/inbox/${item.id}/read`, { token: operator })).status, 404, 'not your message');
  assert.equal((await app.request('POST', `/api/notify/inbox/${item.id}/read`, { token: town })).status, 200);
  const after1 = await app.request('GET', '/api/notify/inbox', { token: town });
  assert.ok(after1.body.items.find((i: { id: string }) => i.id === item.id).readAt);

  const pref = await app.request('PUT', '/api/notify/preferences/me', { token: town, body: { channels: ['voice'] } });
  assert.equal(pref.status, 200);
  assert.deepEqual(pref.body.channels, ['voice']);
  const viaPref = await notify().enqueue(sys, { recipient: { kind: 'user', id: townId }, text: '二次提醒', dedupeKey: 'inbox-2' });
  assert.deepEqual(viaPref.map((r) => r.channel), ['voice']);
  const reset = await app.request('PUT', '/api/notify/preferences/me', { token: town, body: { channels: null } });
  assert.equal(reset.body.channels, null);
  assert.deepEqual(reset.body.defaults, ['inapp', 'sms']);
});

test(`the city's demo channels record into the local sink, once per notification (${engine})`, async () => {
  const [ref] = await notify().enqueue(sys, { channel: 'sms', recipient: { kind: 'address', address: '13900007777' }, areaCode: '430524001', text: '隆回县消息', dedupeKey: 'sink-1' });
  await worker().runOnce();
  const row = await rows().where('id', '=', ref!.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'delivered');
  const sinkRows = await app.platform.db.kysely.selectFrom('notify_sink').selectAll().where('notification_id', '=', ref!.id).execute();
  assert.equal(sinkRows.length, 1);
  assert.equal(gw.received.filter((r) => r.body.includes(ref!.id)).length, 0, 'nothing left the machine');
  const sink = await app.request('GET', '/api/notify/sink', { token: admin });
  assert.ok(sink.body.items.some((s: { notificationId: string; body: string }) => s.notificationId === ref!.id && s.body === '隆回县消息'));
  const sySink = await app.request('GET', '/api/notify/sink', { token: operator });
  assert.ok(!sySink.body.items.some((s: { notificationId: string }) => s.notificationId === ref!.id), '邵阳县 does not see 隆回县');
});

test(`channels: secrets are never shown, kept on update, and settings are validated (${engine})`, async () => {
  const list = await app.request('GET', '/api/notify/channels', { token: operator });
  const hook = list.body.items.find((c: { kind: string; areaCode: string }) => c.kind === 'webhook' && c.areaCode === '430523');
  assert.equal(hook.config.secret, '••••••');
  assert.ok(!JSON.stringify(list.body).includes(secret));
  const renamed = await app.request('PATCH', `/api/notify/channels/${hook.id}`, { token: operator, body: { name: '县指挥中心', config: { url: `${gwUrl}/hook` } } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  const [ref] = await notify().enqueue(sys, { channel: 'webhook', recipient: { kind: 'user', id: await userId('sy_town') }, text: 'after rename', dedupeKey: 'hook-2' });
  await worker().runOnce();
  const hit = gw.received.find((r) => r.body.includes(ref!.id))!;
  assert.ok(verifyWebhook(secret, String(hit.headers['x-shiyu-timestamp']), hit.body, String(hit.headers['x-shiyu-signature']), clock.now().getTime()), 'the secret survived the update');
  const bad = await app.request('POST', '/api/notify/channels', { token: operator, body: { kind: 'webhook', name: 'x', areaCode: '430523', config: { url: 'ftp://x', secret: 'short' } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'notify_channel.config');
  const grid = await app.login('sy_grid');
  assert.equal((await app.request('GET', '/api/notify/channels', { token: grid })).status, 403);
});

async function userId(username: string): Promise<string> {
  const u = await app.platform.db.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return u.id;
}
