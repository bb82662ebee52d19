// Names instead of codes, in a real browser (Chromium) against a real server process: the rule list names the
// event kinds and the area in Chinese, and the rule form picks the area by name from the tree.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signedIn as signIn } from '../helpers/browser.ts';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apiOf, login as apiLogin } from '../e2e/warning.e2e.helpers.ts';

let srv: TestServer;
let browser: Browser;

before(async () => {
  srv = await startTestServer();
  const api = apiOf(srv);
  const op = await apiLogin(api, 'sy_operator');
  const rule = await api('POST', '/api/rules', op, {
    name: '名称测试：有人落水', areaCode: '430523',
    definition: { trigger: { type: 'event', eventKinds: ['person.in_water'] }, actions: [{ type: 'raise_alert', severity: 'red', title: '{zone}有人落水' }] },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function signedIn(username: string): Promise<Page> {
  return signIn(browser, srv.url, username);
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
