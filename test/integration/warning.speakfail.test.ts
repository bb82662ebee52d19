// A loudspeaker that does not answer (its command expires) or refuses reaches the operator: the alert's timeline
// says so once per command (喊话失败), and the operator can try again or use another loudspeaker of the zone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.ts';
import { createTestApp, engine, type TestApp } from '../helpers/app.ts';
import { commandsOf, createRule, event, ingest, nearWaterRule, settle, waterArea, type WaterSetup } from './warning.helpers.ts';

let app: TestApp;
let clock: FakeClock;
let admin: string;
let water: WaterSetup;

before(async () => {
  clock = new FakeClock(new Date());
  app = await createTestApp({ clock });
  admin = await app.login('admin');
  water = await waterArea(app, admin);
  await createRule(app, admin, nearWaterRule());
});
after(async () => app?.close());

test(`a refused and a timed-out loudspeaker command reach the alert's timeline; retry and another loudspeaker (${engine})`, async () => {
  const [a, b] = water.speakers;
  await ingest(app, water.camera.secret, [event('person.near_water')]);
  const op = await app.login('sy_operator');
  const [alert] = (await app.request('GET', '/api/alerts?state=open', { token: op })).body.items;
  const detail = async () => (await app.request('GET', `/api/alerts/${alert.id}`, { token: op })).body;
  const failures = async () => (await detail()).steps.filter((s: { action: string }) => s.action === 'broadcast_failed');
  const cmds = await commandsOf(app, [a!.id, b!.id]);
  assert.equal(cmds.length, 2);
  const ofA = cmds.find((c) => c.device_id === a!.id)!;
  // Speaker A refuses (its amplifier is broken); speaker B never answers.
  const refused = await app.request('POST', `/api/ingest/commands/${ofA.id}/ack`, { headers: { 'x-device-token': a!.secret }, body: { status: 'failed', message: 'amplifier fault' } });
  assert.equal(refused.status, 200, JSON.stringify(refused.body));
  await settle(app);
  let f = await failures();
  assert.equal(f.length, 1);
  assert.equal(f[0].detail.deviceId, a!.id);
  assert.equal(f[0].detail.reason, 'refused');
  assert.equal(f[0].detail.text, '水边危险，请速离开');
  assert.ok(f[0].detail.device, 'the loudspeaker is named');
  clock.advance(61_000);
  await app.services.devices.commands.expire();
  await settle(app);
  f = await failures();
  assert.equal(f.length, 2);
  assert.deepEqual(f.map((s: { detail: { reason: string } }) => s.detail.reason).sort(), ['no_answer', 'refused']);
  // The same failure heard again (another node, a repeated expiry) is not written twice.
  app.platform.bus.emit('device.command', { id: ofA.id, deviceId: a!.id, areaCode: '430523100', type: 'broadcast.text', status: 'failed' });
  await settle(app);
  assert.equal((await failures()).length, 2);
  // The operator tries speaker B again with the same words, and uses speaker A's neighbour (B) instead of A.
  const retry = await app.request('POST', `/api/alerts/${alert.id}/speak`, { token: op, body: { text: f[0].detail.text, repeat: f[0].detail.repeat, deviceIds: [b!.id] } });
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  const latest = (await commandsOf(app, [b!.id])).at(-1)!;
  assert.notEqual(latest.id, cmds.find((c) => c.device_id === b!.id)!.id, 'a new command');
  const ok = await app.request('POST', `/api/ingest/commands/${latest.id}/ack`, { headers: { 'x-device-token': b!.secret }, body: { status: 'ok' } });
  assert.equal(ok.status, 200);
  await settle(app);
  assert.equal((await failures()).length, 2, 'an answered command adds no failure');
  // A loudspeaker that does not cover the zone is refused, naming the field.
  const stray = await app.request('POST', `/api/alerts/${alert.id}/speak`, { token: op, body: { text: '试一下', deviceIds: [water.camera.id] } });
  assert.equal(stray.status, 400);
  assert.match(JSON.stringify(stray.body), /deviceIds/);
});
