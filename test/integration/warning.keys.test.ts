// Keys that cannot clash or repeat: an alert code's number comes from the counter row taken in the firing's
// transaction (not from a count or a cache of this process), and a loudspeaker command made for a rule carries
// (rule, triggering event, device), so an evaluation retried after a crash sends no second warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { alertCodeSeries } from '../../src/modules/warning/alerts.policy.ts';
import { eventOf } from '../../src/modules/warning/devices.read.ts';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { commandsOf, createRule, event, ingest, nearWaterRule, settle, waterArea, type WaterSetup } from './warning.helpers.ts';

let app: TestApp;
let admin: string;
let water: WaterSetup;

before(async () => {
  app = await createTestApp();
  admin = await app.login('admin');
  water = await waterArea(app, admin);
});
after(async () => app?.close());

const alertsOfRule = (ruleId: string) => app.platform.db.kysely.selectFrom('alerts').selectAll().where('rule_id', '=', ruleId).orderBy('raised_at').execute();

test(`alert codes: the number is the counter row's, taken in the firing's transaction (${engine})`, async () => {
  const ruleId = await createRule(app, admin, nearWaterRule());
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const [first] = await alertsOfRule(ruleId);
  assert.ok(first);
  assert.match(first.code, /^YJ430523-\d{8}-0001$/);
  const series = alertCodeSeries(first.area_code, new Date(first.raised_at));
  const counter = () => app.platform.db.kysely.selectFrom('alert_counters').select('value').where('series', '=', series).executeTakeFirstOrThrow();
  assert.equal(Number((await counter()).value), 1);
  // Another node raised six alerts of this county meanwhile (numbers 2–7 are taken): this process must not reuse them.
  await app.platform.db.kysely.updateTable('alert_counters').set({ value: 7 }).where('series', '=', series).execute();
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const second = (await alertsOfRule(ruleId))[1];
  assert.ok(second);
  assert.equal(second.code, `${series}-0008`);
  assert.equal(Number((await counter()).value), 8);
  // Concurrent firings of one county get distinct numbers.
  await Promise.all([1, 2, 3].map(() => ingest(app, water.camera.secret, [event('person.near_water')])));
  const codes = (await alertsOfRule(ruleId)).map((a) => a.code);
  assert.equal(codes.length, 5);
  assert.equal(new Set(codes).size, 5, codes.join());
  assert.deepEqual(codes.slice(2).sort(), [`${series}-0009`, `${series}-0010`, `${series}-0011`]);
  await app.platform.db.kysely.updateTable('rules').set({ enabled: 0 }).where('id', '=', ruleId).execute();
  await app.services.warning.engine.reload();
});

test(`a retried evaluation sends no second loudspeaker command: (rule, event, device) is the command's key (${engine})`, async () => {
  const ruleId = await createRule(app, admin, {
    name: '只喊话',
    areaCode: '430523',
    definition: { trigger: { type: 'event', eventKinds: ['intrusion'] }, zone: { kinds: ['key_water'] }, actions: [{ type: 'broadcast', text: '请勿翻越护栏', repeat: 2 }] },
  });
  const speakerIds = water.speakers.map((s) => s.id);
  const before = (await commandsOf(app, speakerIds)).length;
  const ev = event('intrusion');
  await ingest(app, water.camera.secret, [ev]);
  const mine = async () => (await commandsOf(app, speakerIds)).filter((c) => c.idempotency_key?.startsWith(`rule:${ruleId}|`));
  const sent = await mine();
  assert.equal(sent.length, 2, 'one command per loudspeaker');
  for (const c of sent) assert.match(c.idempotency_key ?? '', new RegExp(`^rule:${ruleId}\\|event:.+\\|${c.device_id}$`));
  // The process died after the loudspeakers were told and before the firing was committed: the evaluation is run again.
  const stored = await app.platform.db.kysely.selectFrom('device_events').selectAll().where('event_id', '=', ev.id as string).executeTakeFirstOrThrow();
  await app.platform.db.kysely.deleteFrom('rule_firings').where('rule_id', '=', ruleId).execute();
  const again = await Promise.all([app.services.warning.engine.onEvent(eventOf(stored)), app.services.warning.engine.onEvent(eventOf(stored))]);
  await settle(app);
  assert.deepEqual(again.map((o) => o.ruleIds.length).sort(), [0, 1], 'the rule fired once more (its claim was lost), once');
  const after = await mine();
  assert.equal(after.length, 2, 'no second command to either loudspeaker');
  assert.deepEqual(after.map((c) => c.id).sort(), sent.map((c) => c.id).sort());
  // An operator's own broadcast has no key: speaking again is a new command.
  const op = await app.login('sy_operator');
  const res = await app.request('POST', `/api/devices/${speakerIds[0]}/commands`, { token: op, body: { type: 'broadcast.text', params: { text: '请离开水边' } } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal((await commandsOf(app, speakerIds)).length, before + 3);
});
