// The command-centre shell in a real browser (Chromium through playwright-core) against a real server process:
// login (and its error), the header's scope, the map's county names as SVG text, the language switch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { freshPage as openPage, launchBrowser, PASSWORD } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = path.join(root, 'docs', 'screenshots', 'shell-map.png');
const SHAOYANG_COUNTIES = [
  '双清区',
  '大祥区',
  '北塔区',
  '新邵县',
  '邵阳县',
  '隆回县',
  '洞口县',
  '绥宁县',
  '新宁县',
  '城步苗族自治县',
  '武冈市',
  '邵东市',
];
const MAP_TEXT = '[data-testid=scope-map] svg text';

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

/** A page in a fresh browser context: no cookie, no remembered language. */
function freshPage(): Promise<Page> {
  assert.ok(browser, 'browser not started');
  return openPage(browser);
}

function baseUrl(): string {
  assert.ok(srv, 'server not started');
  return srv.url;
}

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${baseUrl()}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${baseUrl()}/`);
}

/** Waits until the map has drawn `name`, then returns every text of the map's SVG. */
async function mapTexts(page: Page, name: string): Promise<string[]> {
  await page.locator(MAP_TEXT, { hasText: name }).first().waitFor({ timeout: 15_000 });
  return (await page.locator(MAP_TEXT).allTextContents()).map((s) => s.trim());
}

test('a wrong password shows an error in the user\'s words and keeps the username typed', async () => {
  const page = await freshPage();
  try {
    await page.goto(`${baseUrl()}/`);
    await page.waitForURL(/\/login/);
    await page.getByTestId('login-username').fill('sy_operator');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.match(await error.innerText(), /用户名或密码不正确/);
    assert.equal(await page.getByTestId('login-username').inputValue(), 'sy_operator');
    assert.match(page.url(), /\/login/);
  } finally {
    await page.context().close();
  }
});

test('a county operator sees their county as scope in the header and on the map', async () => {
  const page = await freshPage();
  try {
    await login(page, 'sy_operator');
    const scope = await page.getByTestId('scope').innerText();
    assert.match(scope, /邵阳县/);
    assert.match(scope, /430523/);
    const texts = await mapTexts(page, '邵阳县');
    assert.ok(texts.includes('邵阳县'), `map texts: ${texts.join(', ')}`);
    // Another county's name is not drawn: the map shows the operator's scope only.
    assert.ok(!texts.includes('隆回县'), `map texts: ${texts.join(', ')}`);
  } finally {
    await page.context().close();
  }
});

test('a city commander sees the 12 counties of Shaoyang as text on the map, and can switch to English', async () => {
  const page = await freshPage();
  try {
    await login(page, 'commander');
    assert.match(await page.getByTestId('scope').innerText(), /邵阳市 \(430500\)/);
    const texts = await mapTexts(page, '邵东市');
    for (const county of SHAOYANG_COUNTIES) {
      assert.ok(texts.includes(county), `${county} missing from the map; texts: ${texts.join(', ')}`);
    }
    // The same data as a table.
    const table = await page.getByTestId('area-table').innerText();
    for (const county of SHAOYANG_COUNTIES) assert.ok(table.includes(county), `${county} missing from the table`);

    // Clicking a county shows its details.
    await page.locator(MAP_TEXT, { hasText: '隆回县' }).first().click();
    const info = await page.getByTestId('area-info').innerText();
    assert.match(info, /430524/);

    await page.mouse.move(0, 0); // no tooltip on the screenshot
    await page.waitForTimeout(800);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    const menu = page.getByTestId('side-menu');
    assert.match(await menu.innerText(), /态势总览/);
    await page.getByTestId('lang-switch').getByText('EN', { exact: true }).click();
    await page.getByTestId('product-name').filter({ hasText: 'City-Region Governance Command Centre' }).waitFor();
    assert.match(await menu.innerText(), /Overview/);
    assert.doesNotMatch(await menu.innerText(), /态势总览/);

    // The choice is remembered.
    await page.reload();
    await page.getByTestId('side-menu').waitFor();
    assert.match(await page.getByTestId('side-menu').innerText(), /Overview/);
  } finally {
    await page.context().close();
  }
});
