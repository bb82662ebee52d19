// Two nodes on one database and the real NATS server (NATS_URL, default 127.0.0.1:4222, as .ci/run starts it), each
// run with subjects of its own: what is changed through one node is reloaded by the other, and the other's live
// push shows the alerts the first raised.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { NatsBus } from '../../src/platform/bus.nats.ts';
import { systemActor } from '../../src/platform/access.ts';
import { demoFaceFeature } from '../../src/modules/students/students.demo.ts';
import { createRule, event, ingest, nearWaterRule, waterArea } from './warning.helpers.ts';

const NATS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = 'test' + crypto.randomBytes(4).toString('hex');
let a: TestApp;
let b: TestApp;
let admin: string;

before(async () => {
  a = await createTestApp({ config: { nodeId: 'node-a', natsUrl: NATS, natsPrefix: prefix, clusterCheckMs: 0 } });
  b = await createTestApp({
    seed: 'none',
    clock: a.clock,
    config: {
      nodeId: 'node-b',
      natsUrl: NATS,
      natsPrefix: prefix,
      clusterCheckMs: 0,
      secretKey: a.config.secretKey!,
      databaseSchema: a.config.databaseSchema,
      sqliteFile: a.config.sqliteFile ?? path.join(a.config.dataDir, 'shiyu.db'),
    },
  });
  admin = await a.login('admin');
});
after(async () => {
  await b?.close();
  await a?.close();
});

/** Polls until `probe` gives a value `ok` accepts (the positive signal), or fails after 10 s. */
async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test(`both nodes run the NATS bus (${engine})`, () => {
  assert.ok(a.platform.bus instanceof NatsBus);
  assert.ok(b.platform.bus instanceof NatsBus);
});

test(`a rule created, then disabled, through node A is loaded, then dropped, by node B (${engine})`, async () => {
  const before = b.services.warning.engine.ruleCount;
  const id = await createRule(a, admin, { ...nearWaterRule(), name: '节点同步规则' });
  await until(() => b.services.warning.engine.ruleCount, (n) => n === before + 1, 'node B to load the new rule');
  const off = await a.request('PATCH', `/api/rules/${id}`, { token: admin, body: { enabled: false } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  await until(() => b.services.warning.engine.ruleCount, (n) => n === before, 'node B to drop the disabled rule');
  assert.ok((b.platform.bus as NatsBus).stats.received >= 2);
});

test(`a change the bus did not carry is found by the version check (${engine})`, async () => {
  const before = b.services.warning.engine.ruleCount;
  const id = await createRule(a, admin, { ...nearWaterRule(), name: '版本检查规则' });
  const withRule = await until(() => b.services.warning.engine.ruleCount, (n) => n === before + 1, 'node B to load the rule');
  await b.cluster.check(); // the fingerprints as they are now
  // Disabled behind the nodes' backs (no event): only the version check can tell node B.
  await a.platform.db.kysely.updateTable('rules').set({ enabled: 0, version: 99, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
  assert.equal(b.services.warning.engine.ruleCount, withRule);
  await b.cluster.check();
  assert.equal(b.services.warning.engine.ruleCount, withRule - 1);
});

test(`the alert console on node B sees an alert raised through node A (${engine})`, async () => {
  const w = await waterArea(a, admin);
  await createRule(a, admin, nearWaterRule());
  const op = await b.login('sy_operator');
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = b.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let text = '';
  let connected: () => void = () => {};
  const ready = new Promise<void>((r) => (connected = r));
  const gotAlert = new Promise<string>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/alerts/stream', headers: { authorization: `Bearer ${op}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes(': connected')) connected();
        const m = /event: alert\ndata: (.*)\n/.exec(text);
        if (m) {
          resolve(m[1]!);
          req.destroy();
        }
      });
    });
    req.on('error', (e) => (text.includes('event: alert') ? undefined : reject(e)));
  });
  await ready;
  await ingest(a, w.camera.secret, [event('person.near_water', { lon: 111.273805, lat: 26.990637 })]);
  const raised = await a.platform.db.kysely.selectFrom('alerts').select(['id']).where('zone_id', '=', w.zone.id).execute();
  assert.equal(raised.length, 1, 'node A raised one alert');
  const pushed = JSON.parse(await gotAlert) as { alert: { id: string } };
  assert.equal(pushed.alert.id, raised[0]!.id);
});

test(`a face enrolled through node A is found by a search through node B (${engine})`, async () => {
  const sys = systemActor('rule-engine');
  const student = await a.platform.db.kysely.selectFrom('students').select(['id', 'area_code']).where('area_code', 'like', '430523%').executeTakeFirstOrThrow();
  const feature = demoFaceFeature(`节点-${prefix}`);
  const probe = demoFaceFeature(`节点-${prefix}`, 0.3);
  const countyCode = student.area_code.slice(0, 6);
  // Node B has the county's index loaded before the enrolment, and does not know the new face.
  const first = await b.services.students.identify(sys, { countyCode, feature: probe });
  assert.notEqual(first.match?.student.id, student.id);
  const op = await a.login('sy_operator');
  const enrolled = await a.request('POST', `/api/students/${student.id}/faces`, { token: op, body: { feature } });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  const found = await until(
    () => b.services.students.identify(sys, { countyCode, feature: probe }),
    (r) => r.match?.student.id === student.id,
    'node B to find the new face',
  );
  assert.equal(found.matched, true);
});
