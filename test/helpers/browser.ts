// Browser tests' common ground: the web app built once, Debian's Chromium launched with this machine's flags, and a
// page in a fresh context (zh-CN, Asia/Shanghai) signed in as a demo account.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every demo account's password. */
export const PASSWORD = 'Shiyu@2026';
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESK = { width: 1440, height: 900 };

/** The server serves web/dist; build it once if this checkout has not (`npm run build:web` does the same). */
export async function ensureWebBuilt(): Promise<void> {
  if (fs.existsSync(path.join(root, 'web', 'dist', 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

/** Builds the web app if needed and launches headless Chromium without any network of its own. */
export async function launchBrowser(): Promise<Browser> {
  await ensureWebBuilt();
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a fresh context: no cookie, no remembered language; desk size unless `options` say otherwise. */
export async function freshPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  // Generous: the suite runs beside other heavy tests on two cores.
  context.setDefaultTimeout(45_000);
  return context.newPage();
}

/** Fills the login form at `baseUrl` as `username`; waits for `landing` (a path) unless it is null. */
export async function logIn(page: Page, baseUrl: string, username: string, landing: string | null = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  if (landing !== null) await page.waitForURL(`${baseUrl}${landing}`);
}

export interface SignInOptions extends BrowserContextOptions {
  /** The path the account lands on after login ('/' on the desk); null: do not wait. */
  landing?: string | null;
  /** Runs on the new page before it loads anything (e.g. to watch its requests). */
  onPage?: (page: Page) => void;
}

/** A fresh page signed in as `username`. */
export async function signedIn(browser: Browser, baseUrl: string, username: string, opts: SignInOptions = {}): Promise<Page> {
  const { landing = '/', onPage, ...context } = opts;
  const page = await freshPage(browser, context);
  onPage?.(page);
  await logIn(page, baseUrl, username, landing);
  return page;
}
