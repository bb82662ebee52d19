// Refreshes docs/screenshots/ from a running server (demo mode): the big screen (1920×1080), a desk page
// (1440×900, the zone editor) and phone pages (390×844). Usage: node scripts/screenshots.mjs http://127.0.0.1:8080
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const out = path.join(fileURLToPath(new URL('..', import.meta.url)), 'docs', 'screenshots');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function shot(user, viewport, url, file, prepare = async () => {}) {
  const phone = viewport.width < 768;
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(phone ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('Shiyu@2026');
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${base}${url}`);
  await page.waitForLoadState('networkidle').catch(() => {});
  await prepare(page);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(out, file) });
  console.log('wrote', file);
  await context.close();
}

await shot('commander', { width: 1920, height: 1080 }, '/screen', 'big-screen.png');
await shot('sy_operator', { width: 1440, height: 900 }, '/zones', 'desk-zones.png', async (page) => {
  await page.getByTestId('zone-create').click();
  const box = await page.getByTestId('zone-map').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (const [x, y] of [[cx - 80, cy - 50], [cx + 70, cy - 60], [cx + 90, cy + 40], [cx - 60, cy + 60], [cx - 80, cy - 50]]) await page.mouse.click(x, y);
  await page.getByTestId('zone-name').fill('资江塘渡口段');
});
await shot('sy_grid', { width: 390, height: 844 }, '/m/alerts', 'phone-alerts.png');
await shot('sy_responder', { width: 390, height: 844 }, '/m/tasks', 'phone-tasks.png');
await browser.close();
