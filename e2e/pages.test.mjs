// Browser tests: the real `pdca serve` on a fresh SQLite database with the demo data set, driven in
// Debian's headless Chromium. Screenshots of the dashboard, a project page and an indicator page
// are written under target/screenshots/ on every run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.PDCA_BIN ?? join(root, 'target', 'debug', 'pdca');
const screenshots = join(root, 'target', 'screenshots');

let server, base, oneTimePassword, browser, workdir;

/** Starts `pdca serve --demo` on port 0 and reads its address and the one-time password. */
function startServer() {
  workdir = mkdtempSync(join(tmpdir(), 'pdca-e2e-'));
  server = spawn(binary, ['--db', join(workdir, 'pdca.sqlite3'), 'serve', '--demo', '--addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pdca serve did not start in 60 s')), 60_000);
    server.on('exit', (code) => reject(new Error(`pdca serve exited with ${code}`)));
    createInterface({ input: server.stdout }).on('line', (line) => {
      const password = line.match(/初回パスワード.*: (\S+)$/);
      if (password) oneTimePassword = password[1];
      const address = line.match(/(http:\/\/127\.0\.0\.1:\d+)\//);
      if (address) {
        clearTimeout(timer);
        base = address[1];
        resolve();
      }
    });
  });
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  await startServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

test('the secretariat signs in, changes the one-time password and reads the pages', async () => {
  assert.ok(oneTimePassword, 'serve printed the one-time password');
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });

  // Pages need a session: the dashboard sends us to the sign-in page.
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/signin/);
  await page.getByLabel(/ユーザー名|名前|Name/).fill('admin');
  await page.getByLabel(/^パスワード|^Password/).fill('wrong-password-1');
  await page.locator('form[action="/signin"] button[type="submit"], form[action="/signin"] input[type="submit"]').first().click();
  assert.match(page.url(), /\/signin/, 'a wrong password is refused');

  await page.getByLabel(/ユーザー名|名前|Name/).fill('admin');
  await page.getByLabel(/^パスワード|^Password/).fill(oneTimePassword);
  await page.locator('form[action="/signin"] button[type="submit"], form[action="/signin"] input[type="submit"]').first().click();

  // The one-time password must be changed first.
  assert.match(page.url(), /\/account\/password/);
  await page.locator('#current').fill(oneTimePassword);
  await page.locator('#new').fill('a-new-long-password-2026');
  await page.locator('#confirm').fill('a-new-long-password-2026');
  await page.locator('form[action="/account/password"] button[type="submit"], form[action="/account/password"] input[type="submit"]').first().click();

  // The dashboard: one card per integrated project.
  await page.goto(`${base}/?as_of=2023`);
  const body = await page.locator('body').innerText();
  for (const name of ['医薬品プロジェクト', 'シーズ開発・研究基盤プロジェクト']) {
    assert.ok(body.includes(name), `dashboard shows ${name}`);
  }
  await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });

  await page.goto(`${base}/projects/p3?as_of=2023`);
  const project = await page.locator('body').innerText();
  assert.ok(project.includes('うち遺伝子治療'), 'sub-targets are listed under their parent');
  await page.screenshot({ path: join(screenshots, 'project.png'), fullPage: true });

  await page.goto(`${base}/indicators/p1-out-01?as_of=2023`);
  assert.ok(await page.locator('svg').count() > 0, 'the indicator page has its chart');
  assert.ok((await page.locator('body').innerText()).includes('非臨床POCの取得件数'));
  await page.screenshot({ path: join(screenshots, 'indicator.png'), fullPage: true });

  // Keyboard use: the first link or field is reachable with Tab.
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  await page.close();
});
