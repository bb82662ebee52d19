// Lists export as Excel as well as CSV: in a real browser (Chromium) against a real server process, the
// administrator exports the user list; the .xlsx file opens (exceljs reads it) with the header and the rows the table
// shows, in the same order, roles named in Chinese; the CSV holds the same rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signedIn as signIn } from '../helpers/browser.ts';
import { engine } from '../helpers/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;

before(async () => {
  srv = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.dispose();
});

function signedIn(username: string): Promise<Page> {
  return signIn(browser, srv.url, username, { acceptDownloads: true });
}

test(`the user list exports as an Excel workbook with the rows shown (${engine})`, { timeout: 120_000 }, async () => {
  const page = await signedIn('admin');
  try {
    await page.goto(`${srv.url}/users`);
    const rows = page.locator('.el-table__body-wrapper .el-table__row');
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => (td.textContent ?? '').trim())));
    assert.ok(shown.length >= 10, `rows shown: ${shown.length}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
    assert.equal(download.suggestedFilename(), 'users.xlsx');
    const file = path.join(srv.dataDir, 'users.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0]!;
    const values = (r: number) => (ws.getRow(r).values as unknown[]).slice(1).map((v) => String(v ?? ''));
    assert.deepEqual(values(1).slice(0, 3), ['用户名', '姓名', '角色']);
    assert.equal(ws.rowCount - 1, shown.length);
    for (let i = 0; i < shown.length; i++) assert.deepEqual(values(i + 2).slice(0, 3), shown[i], `row ${i + 1}`);
    assert.ok(shown.some((r) => r[2] === '县级平台值守员'), JSON.stringify(shown));

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    assert.equal(csv.suggestedFilename(), 'users.csv');
    const text = fs.readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '');
    assert.equal(text.split('\r\n').length - 1, shown.length);
  } finally {
    await page.context().close();
  }
});
