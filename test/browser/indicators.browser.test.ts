// Indicators in a real browser against a real server process: the leader's big screen shows the negative-list
// cards against the −30 % target and the county ranking at 1920×1080; the city commander accepts a pending figure
// at the desk and its history shows the import and the acceptance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DESK, launchBrowser, signedIn as signIn } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(root, 'docs', 'screenshots');

let srv: TestServer | undefined;
let browser: Browser | undefined;

before(async () => {
  srv = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function signedIn(username: string, viewport = DESK): Promise<Page> {
  assert.ok(browser && srv);
  return signIn(browser, srv.url, username, { viewport });
}

test('the big screen shows the indicator cards against their targets and the county ranking', async () => {
  const page = await signedIn('leader', { width: 1920, height: 1080 });
  try {
    await page.goto(`${srv!.url}/screen`);
    await page.getByTestId('screen-ranking').locator('li').nth(11).waitFor({ timeout: 20_000 });
    const card = page.getByTestId('screen-card-telecom_fraud_cases');
    const text = await card.innerText();
    assert.match(text, /电信网络诈骗立案数/);
    assert.match(text, /同比 [-+]\d+\.\d%/);
    assert.match(text, /目标 -30\.0%/);
    assert.match(text, /达标|预警|未达标/);
    assert.equal(await page.getByTestId('screen-indicators').locator('[data-testid^=screen-card-]').count(), 9);
    const ranks = await page.getByTestId('screen-ranking').locator('li .no').allInnerTexts();
    assert.equal(ranks.length, 12);
    assert.equal(ranks[0], '1');
    // Readable at 1920×1080: the band fits on the screen.
    const box = await page.getByTestId('screen-indicators').boundingBox();
    assert.ok(box && box.y + box.height <= 1080, `band ends at ${box && box.y + box.height}`);
    await page.screenshot({ path: path.join(SHOTS, 'indicators-screen.png') });
  } finally {
    await page.context().close();
  }
});

test('the city commander accepts a pending figure at the desk; the history shows each step', async () => {
  const page = await signedIn('commander');
  try {
    await page.getByTestId('side-menu').getByText('指标考核').click();
    await page.getByTestId('indicator-table').locator('.el-table__row').first().waitFor();
    assert.match(await page.getByTestId('status-telecom_fraud_cases').innerText(), /达标|预警|未达标/);
    await page.screenshot({ path: path.join(SHOTS, 'indicators-desk.png') });
    await page.getByRole('tab', { name: '填报审核' }).click();
    const rows = page.getByTestId('value-table').locator('.el-table__body-wrapper .el-table__row');
    await rows.first().waitFor();
    const first = rows.first();
    const name = (await first.locator('td').nth(0).innerText()).trim();
    const area = (await first.locator('td').nth(1).innerText()).trim();
    const month = (await first.locator('td').nth(2).innerText()).trim();
    await first.getByRole('button', { name: '审核通过' }).click();
    // The city is the demo's only approval level: the figure is accepted.
    await page.locator('.el-message', { hasText: '审核完成：已验收' }).waitFor();
    await page.locator('[data-testid=value-table]').locator('..').locator('.el-select').first().click();
    await page.locator('.el-select-dropdown__item', { hasText: '已验收' }).click();
    const accepted = page.getByTestId('value-table').locator('.el-table__row', { hasText: area }).filter({ hasText: month }).filter({ hasText: name }).first();
    await accepted.waitFor();
    await accepted.getByRole('button', { name: '历史' }).click();
    const drawer = page.locator('.el-drawer');
    await drawer.getByText('验收通过').waitFor();
    assert.match(await drawer.innerText(), /导入[\s\S]*验收通过 · 市指挥中心值班长/);
  } finally {
    await page.context().close();
  }
});
