// The demo tells the seed's story by itself: the server started exactly as `npm start` starts it (demo mode, the
// demo's own rules, zones and simulated fleet over the embedded MQTT broker, nothing created by the test) raises
// alerts of the demo rules from the simulated traffic alone — people near the water warned by the loudspeaker, a
// student identified and the guardians told, a gas alarm in a household, a person in the water dispatched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from '../helpers/app.ts';
import { apiOf, startTestServer, type Api, type TestServer } from '../helpers/server.ts';
import { login, until } from './warning.e2e.helpers.ts';

let server: TestServer;
let api: Api;

before(async () => {
  server = await startTestServer({ mqtt: true, demoTraffic: true });
  api = apiOf(server);
});
after(async () => server?.dispose());

interface AlertItem { id: string; ruleIds: string[]; title: string; zoneName: string | null }

test(`npm start alone: alerts of the demo rules from the simulated traffic (${engine})`, async () => {
  const admin = await login(api, 'admin');
  const rules = (await api('GET', '/api/rules', admin)).body.items as { id: string; name: string }[];
  const demoRules = new Map(rules.map((r) => [r.id, r.name]));
  for (const name of ['重点水域有人靠近', '学生临水', '人员落水', '居民燃气泄漏']) {
    assert.ok([...demoRules.values()].includes(name), `demo rule ${name}`);
  }
  // The demo's opening plays within two minutes of the start; wait (generously) until two demo rules have raised alerts.
  const seen = await until(
    'alerts of two demo rules',
    async () => {
      const r = await api('GET', '/api/alerts?pageSize=100', admin);
      assert.equal(r.status, 200);
      const items = r.body.items as AlertItem[];
      const fired = new Set(items.flatMap((a) => a.ruleIds).filter((id) => demoRules.has(id)));
      return fired.size >= 2 ? { items, fired } : null;
    },
    240_000,
  );
  const names = [...seen.fired].map((id) => demoRules.get(id));
  assert.ok(names.includes('重点水域有人靠近'), names.join());
  // A near-water alert: at a demo zone, and its loudspeakers were told.
  const near = seen.items.find((a) => a.ruleIds.some((id) => demoRules.get(id) === '重点水域有人靠近'))!;
  assert.match(near.zoneName ?? '', /^重点水域/);
  const detail = await until('the broadcast on the timeline', async () => {
    const d = (await api('GET', `/api/alerts/${near.id}`, admin)).body;
    return d.steps.some((s: { action: string }) => s.action === 'broadcast') ? d : null;
  }, 30_000);
  assert.ok(detail.speakers.length >= 1, 'the zone has a loudspeaker');
  // Only demo devices and demo zones took part: no rule other than the demo's exists.
  assert.equal(rules.length, demoRules.size);
  assert.ok(rules.every((r) => ['重点水域有人靠近', '学生临水', '人员落水', '居民燃气泄漏'].includes(r.name)), rules.map((r) => r.name).join());
});
