// Names instead of codes, in a real browser (Chromium) against a real server process: the rule list names the
// event kinds and the area in Chinese, and the rule form picks the area by name from the tree.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, login as apiLogin } from '../e2e/warning.e2e.helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let srv: TestServer;
let browser: Browser;

before(async () => {
  if (!fs.existsSync(path.join(root, 'web', 'dist', 'index.html'))) {
    const { build } = await import('vite');
    await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
  }
  srv = await startTestServer();
  const api = apiOf(srv);
  const op = await apiLogin(api, 'sy_operator');
  const rule = await api('POST', '/api/rules', op, {
    name: '名称测试：有人落水', areaCode: '430523',
    definition: { trigger: { type: 'event', eventKinds: ['person.in_water'] }, actions: [{ type: 'raise_alert', severity: 'red', title: '{zone}有人落水' }] },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

async function signedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(45_000);
  const page = await context.newPage();
  await page.goto(`${srv.url}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('Shiyu@2026');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${srv.url}/`);
  return page;
}

test(`the rule list and form name event kinds and areas instead of codes (${engine})`, { timeout: 120_000 }, async () => {
  const page = await signedIn('sy_operator');
  try {
    await page.goto(`${srv.url}/rules`);
    const row = page.locator('.el-table__row', { hasText: '名称测试：有人落水' });
    await row.filter({ hasText: '邵阳县' }).waitFor();
    const text = await row.innerText();
    assert.match(text, /人员落水/);
    assert.doesNotMatch(text, /person\.in_water|430523/);
    await row.click();
    const area = page.getByTestId('rule-area');
    await area.filter({ hasText: '邵阳县' }).waitFor();
    assert.doesNotMatch(await area.innerText(), /430523/);
    assert.match(await page.getByTestId('rule-kinds').innerText(), /人员落水/);
  } finally {
    await page.context().close();
  }
});
