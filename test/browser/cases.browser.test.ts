// The closed loop of a dispute in a real browser against a real server process: the county operator takes a
// dispute in at the desk, the backpack mediator signs for it, records a session and concludes it with an agreement
// on a phone-sized screen, the operator follows up and rates it; the timeline shows every step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, PHONE, signedIn as signIn } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(root, 'docs', 'screenshots');
const TITLE = '浏览器测试：鸡鸭越界啄食菜地纠纷';

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

function signedIn(username: string, phone = false): Promise<Page> {
  assert.ok(browser && srv);
  // On a phone the mediator lands on their phone home, on the desk on the overview.
  return signIn(browser, srv.url, username, phone ? { ...PHONE, landing: '/m/cases' } : {});
}

async function state(page: Page, testid: string, text: string): Promise<void> {
  await page.getByTestId(testid).filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

async function timeline(page: Page): Promise<string[]> {
  return (await page.getByTestId('timeline-action').allInnerTexts()).map((s) => s.trim()).reverse();
}

test('a dispute goes round the closed loop through the desk and the mediator\'s phone', async () => {
  assert.ok(srv);
  const desk = await signedIn('sy_operator');
  const phone = await signedIn('sy_mediator', true);
  try {
    // 受理 at the desk.
    await desk.getByTestId('side-menu').getByText('矛盾纠纷').click();
    await desk.getByTestId('case-table').waitFor();
    await desk.getByTestId('open-intake').click();
    const dialog = desk.getByTestId('intake-dialog');
    await dialog.getByTestId('intake-title').fill(TITLE);
    await dialog.getByTestId('area-picker').click();
    await dialog.getByTestId('area-picker').locator('input').fill('梅子院');
    await desk.locator('.el-select-dropdown__item', { hasText: '梅子院村' }).first().click();
    await dialog.getByTestId('intake-summary').fill('邻居家散养鸡鸭多次进入菜地啄食，双方发生口角。');
    await dialog.getByTestId('intake-party-0').getByTestId('party-name').fill('周桂英');
    await dialog.getByTestId('intake-party-0').getByTestId('party-phone').fill('13977770001');
    await dialog.getByTestId('intake-party-1').getByTestId('party-name').fill('周德明');
    await dialog.getByTestId('intake-submit').click();
    await desk.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const code = (await desk.getByTestId('detail-code').innerText()).trim();
    assert.match(code, /^MJ430523-\d{8}-\d{4}$/);
    // Routed at once to the backpack mediator of 梅子院村.
    await state(desk, 'detail-state', '分派');
    assert.deepEqual(await timeline(desk), ['受理', '分派']);
    // Parties are masked until revealed; the reveal asks first.
    const masked = await desk.getByTestId('parties-table').innerText();
    assert.match(masked, /周\*英/);
    assert.match(masked, /139\*\*\*\*0001/);
    await desk.getByTestId('reveal-parties').click();
    await desk.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
    await desk.getByTestId('parties-table').filter({ hasText: '13977770001' }).waitFor();

    // 签收, 调处 and 办结 on the mediator's phone.
    await phone.goto(`${srv.url}/m/cases`);
    await phone.getByTestId('phone-case').filter({ hasText: TITLE }).click();
    await phone.getByTestId('phone-sign').click();
    await state(phone, 'phone-state', '调处');
    await phone.getByTestId('phone-session').click();
    await phone.getByTestId('phone-place').fill('梅子院村委会');
    await phone.getByTestId('phone-note').fill('双方到场，约定鸡鸭圈养。');
    await phone.getByTestId('phone-submit').click();
    await phone.getByTestId('phone-conclude').waitFor();
    await phone.screenshot({ path: path.join(SHOTS, 'cases-phone.png') });
    await phone.getByTestId('phone-conclude').click();
    await phone.getByTestId('phone-note').fill('经调解达成一致。');
    await phone.getByTestId('phone-agreement').fill('周德明于三日内将鸡鸭圈养，赔偿菜苗损失200元。');
    await phone.getByTestId('phone-submit').click();
    await state(phone, 'phone-state', '办结');

    // 回访 and 评价 back at the desk.
    await desk.reload();
    await state(desk, 'detail-state', '办结');
    await desk.getByTestId('act-follow-up').click();
    await desk.getByTestId('action-dialog').getByTestId('action-note').fill('电话回访，鸡鸭已圈养，赔偿已付。');
    await desk.getByTestId('action-dialog').getByTestId('action-submit').click();
    await state(desk, 'detail-state', '回访');
    await desk.getByTestId('act-rate').click();
    await desk.getByTestId('action-dialog').getByTestId('action-submit').click();
    await state(desk, 'detail-state', '评价');
    assert.deepEqual(await timeline(desk), ['受理', '分派', '签收', '调解记录', '办结', '回访', '评价']);
    const events = await desk.getByTestId('timeline').innerText();
    assert.match(events, /背包调解员/, 'the mediator is named on the steps they took');
    assert.match(events, /系统（自动分派）/);
    await desk.mouse.move(0, 0);
    await desk.locator('.el-message').evaluateAll((els) => els.forEach((e) => e.remove()));
    await desk.screenshot({ path: path.join(SHOTS, 'cases-detail.png') });

    // The board finds it by code; the phone no longer lists it.
    await desk.goto(`${srv.url}/cases`);
    await desk.getByTestId('filter-q').fill(code);
    await desk.getByTestId('filter-search').click();
    await desk.getByTestId('case-code').filter({ hasText: code }).waitFor();
    // The unfiltered list holds the case too: wait for the filtered answer to replace it.
    for (let i = 0; i < 100 && (await desk.getByTestId('case-code').count()) !== 1; i++) await desk.waitForTimeout(100);
    assert.equal(await desk.getByTestId('case-code').count(), 1);
    await phone.getByTestId('phone-back').click();
    await phone.getByTestId('phone-list').waitFor();
    assert.equal(await phone.getByTestId('phone-case').filter({ hasText: TITLE }).count(), 0);
  } finally {
    await desk.context().close();
    await phone.context().close();
  }
});

test('the centre\'s figures show as cards, and each chart reads as a table', async () => {
  const page = await signedIn('leader');
  try {
    await page.getByTestId('side-menu').getByText('调处统计').click();
    await page.getByTestId('figure-total').waitFor();
    assert.match(await page.getByTestId('figure-total').innerText(), /\d+/);
    await page.getByTestId('chart-area').locator('.el-switch').click();
    const table = await page.getByTestId('chart-area').locator('.el-table__body').innerText();
    assert.match(table, /邵阳县/);
    assert.match(table, /隆回县/);
    await page.screenshot({ path: path.join(SHOTS, 'cases-figures.png') });
  } catch (err) {
    await page.screenshot({ path: '/tmp/cases-figures-failure.png' });
    throw err;
  } finally {
    await page.context().close();
  }
});
