// The alert console in a real browser (Chromium through playwright-core) against a real server process: an alert
// raised by a device event appears in the operator's console without a reload (Server-Sent Events) and not in
// another county's; the operator acknowledges it, speaks through the loudspeaker by typing, and closes it as
// "persuaded away". The big screen shows today's count. Screenshots go to docs/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DESK, launchBrowser, signedIn as signIn } from '../helpers/browser.ts';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, createDevice, login as apiLogin, sendEvent, square, WATER, type Api, type Device } from '../e2e/warning.e2e.helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(root, 'docs', 'screenshots');

let srv: TestServer;
let api: Api;
let browser: Browser;
let camera: Device;
let speaker: Device;

before(async () => {
  srv = await startTestServer({ env: { WARNING_TICK_MS: '500' } });
  api = apiOf(srv);
  const admin = await apiLogin(api, 'admin');
  const op = await apiLogin(api, 'sy_operator');
  camera = await createDevice(api, admin, { code: 'BR-CAM-1', name: '浏览器测试摄像机', kind: 'bullet_camera', lon: WATER.lon, lat: WATER.lat });
  speaker = await createDevice(api, admin, { code: 'BR-SPK-1', name: '资江喇叭', kind: 'loudspeaker', lon: WATER.lon, lat: WATER.lat });
  const zone = await api('POST', '/api/zones', op, { name: '资江塘渡口段', kind: 'key_water', riskLevel: 4, areaCode: '430523100', geometry: square(WATER.lon, WATER.lat), speakerIds: [speaker.id] });
  assert.equal(zone.status, 201, JSON.stringify(zone.body));
  const rule = await api('POST', '/api/rules', op, {
    name: '重点水域有人靠近', areaCode: '430523',
    definition: {
      trigger: { type: 'event', eventKinds: ['person.near_water'] },
      zone: { kinds: ['key_water'] },
      actions: [{ type: 'broadcast', text: '水边危险，请速离开', repeat: 3 }, { type: 'raise_alert', severity: 'orange', title: '{zone}有人靠近水边' }],
    },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function signedIn(username: string, viewport = DESK): Promise<Page> {
  return signIn(browser, srv.url, username, { viewport });
}

test(`the console: a live alert, acknowledged, spoken to, closed as persuaded away (${engine})`, { timeout: 180_000 }, async () => {
  const page = await signedIn('sy_operator');
  const other = await signedIn('lh_operator');
  try {
    for (const p of [page, other]) {
      await p.goto(`${srv.url}/alerts`);
      await p.getByTestId('live-indicator').filter({ hasText: '实时' }).waitFor({ timeout: 30_000 });
    }
    assert.equal(await page.getByTestId('alert-table').locator('.el-table__row').count(), 0);

    await sendEvent(srv, camera, { id: 'browser-1', kind: 'person.near_water' });
    const row = page.getByTestId('alert-table').locator('.el-table__row', { hasText: '资江塘渡口段有人靠近水边' });
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /待签收/);
    // Another county's operator is not told (the stream is scoped like every read).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await other.getByTestId('alert-table').locator('.el-table__row').count(), 0);

    await row.click();
    const drawer = page.getByTestId('alert-drawer');
    await drawer.getByTestId('alert-title').filter({ hasText: '资江塘渡口段有人靠近水边' }).waitFor();
    await drawer.getByTestId('timeline').filter({ hasText: '自动喊话' }).waitFor();
    // The rule engine is named in the interface's words, not by its internal name.
    assert.match(await drawer.getByTestId('timeline').innerText(), /自动喊话 · 系统（预警规则）/);
    await drawer.getByTestId('btn-acknowledge').click();
    await drawer.getByTestId('detail-state').filter({ hasText: '已签收' }).waitFor();
    // The list follows the pushed change.
    await row.filter({ hasText: '已签收' }).waitFor();

    await drawer.getByTestId('btn-speak').click();
    await page.getByTestId('speak-text').fill('老人家，水边危险，请您马上离开');
    await page.getByTestId('speak-submit').click();
    await drawer.getByTestId('timeline').filter({ hasText: '老人家，水边危险，请您马上离开' }).waitFor();
    const op = await apiLogin(api, 'sy_operator');
    const cmds = await api('GET', `/api/devices/${speaker.id}/commands`, op);
    assert.ok(cmds.body.items.some((c: { params: { text?: string } }) => c.params.text === '老人家，水边危险，请您马上离开'), 'the loudspeaker got the typed words');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'alert-console.png') });

    await drawer.getByTestId('btn-close').click();
    await page.getByTestId('close-outcome').click();
    await page.locator('.el-select-dropdown__item', { hasText: '劝返' }).click();
    await page.getByTestId('close-submit').click();
    await drawer.getByTestId('detail-state').filter({ hasText: '已办结' }).waitFor();
    const alerts = await api('GET', '/api/alerts?state=closed', op);
    const closed = alerts.body.items.find((a: { title: string }) => a.title === '资江塘渡口段有人靠近水边');
    assert.equal(closed.outcome, 'persuaded_away');
    assert.equal(closed.closedBy, 'sy_operator');
    // A closed alert leaves the "open" list.
    await page.keyboard.press('Escape');
    await row.waitFor({ state: 'detached', timeout: 30_000 });
  } finally {
    await page.context().close();
    await other.context().close();
  }
});

test(`the big screen shows today's alerts by county, dark and without scroll bars (${engine})`, { timeout: 120_000 }, async () => {
  const page = await signedIn('commander', { width: 1920, height: 1080 });
  try {
    await page.goto(`${srv.url}/screen`);
    const total = page.getByTestId('screen-total');
    await total.waitFor();
    // Page-side expressions as strings: this file is type-checked without the DOM library.
    await page.waitForFunction("Number(document.querySelector('[data-testid=screen-total]')?.textContent ?? '0') >= 1", null, { timeout: 30_000 });
    await page.locator('[data-testid=big-screen] svg text', { hasText: '邵阳县' }).first().waitFor({ timeout: 30_000 });
    const overflow = await page.evaluate('document.documentElement.scrollHeight > window.innerHeight || document.documentElement.scrollWidth > window.innerWidth');
    assert.equal(overflow, false, 'no scroll bars on the wall');
    await page.screenshot({ path: path.join(SHOTS, 'big-screen.png') });
  } finally {
    await page.context().close();
  }
});
