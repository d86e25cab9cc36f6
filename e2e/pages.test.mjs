// Browser tests: the real `pdca serve` on a fresh SQLite database with the demo data set, driven in
// Debian's headless Chromium. Screenshots of the dashboard, a project page and an indicator page
// are written under target/screenshots/ on every run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.PDCA_BIN ?? join(root, 'target', 'debug', 'pdca');
const screenshots = join(root, 'target', 'screenshots');

let server, base, oneTimePassword, browser, workdir, database;

/** Starts `pdca serve --demo` on port 0 and reads its address and the one-time password. */
function startServer() {
  workdir = mkdtempSync(join(tmpdir(), 'pdca-e2e-'));
  database = join(workdir, 'pdca.sqlite3');
  server = spawn(binary, ['--db', database, 'serve', '--demo', '--addr', '127.0.0.1:0'], {
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

/** Signs in on `page` with the sign-in form. */
async function signIn(page, name, password) {
  await page.goto(`${base}/signin`);
  await page.getByLabel(/ユーザー名|名前|Name/).fill(name);
  await page.getByLabel(/^パスワード|^Password/).fill(password);
  await page.locator('form[action="/signin"] button[type="submit"]').first().click();
}

/** The engine's cumulative for an indicator as of a year, read through the JSON API. */
async function cumulative(page, id, asOf) {
  const response = await page.request.get(`${base}/api/v1/evaluations?as_of=${asOf}`);
  assert.equal(response.status(), 200);
  const evaluation = await response.json();
  return evaluation.indicators.find((i) => i.id === id).cumulative;
}

// Runs after the first test (node --test --test-concurrency=1 keeps file order), which set the
// secretariat's own password.
test('a body enters, fixes and submits a value; a stale tab gets the conflict; the secretariat approves', async () => {
  execFileSync(binary, ['--db', database, 'user', 'add', 'amed-staff', '--role', 'body', '--body', 'amed', '--password-stdin'], {
    input: 'amed-password-2026\n',
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  const tab = await context.newPage();
  await signIn(tab, 'amed-staff', 'amed-password-2026');
  await tab.goto(`${base}/entry?fy=2024`);
  // A second tab of the same person, opened before any change: it will be stale.
  const stale = await context.newPage();
  await stale.goto(`${base}/entry?fy=2024`);

  const field = tab.locator('[name="value:p1-out-01"]');
  await field.fill('-3');
  await tab.getByRole('button', { name: '下書きとして保存' }).click();
  assert.equal(await tab.locator('[name="value:p1-out-01"]').getAttribute('aria-invalid'), 'true');
  const describedBy = await tab.locator('[name="value:p1-out-01"]').getAttribute('aria-describedby');
  assert.match(await tab.locator(`#${describedBy}`).innerText(), /-3/, 'the error is next to the field and quotes the text');

  await tab.locator('[name="value:p1-out-01"]').fill('５件');
  await tab.getByRole('button', { name: '下書きとして保存' }).click();
  assert.equal(await tab.locator('[name="value:p1-out-01"]').inputValue(), '5');
  assert.match(await tab.locator('fieldset', { has: tab.locator('[name="value:p1-out-01"]') }).innerText(), /下書き/);

  // The stale tab still holds the version it read: its save is refused with the current value.
  await stale.locator('[name="value:p1-out-01"]').fill('7');
  await stale.getByRole('button', { name: '下書きとして保存' }).click();
  const conflict = stale.locator('[id^="conflict-"]');
  assert.equal(await conflict.count(), 1, 'the stale tab is told about the conflict');
  assert.match(await conflict.innerText(), /5/);

  await tab.goto(`${base}/entry?fy=2024`);
  await tab.getByRole('button', { name: '提出する' }).click();
  await tab.goto(`${base}/entry?fy=2024`);
  assert.match(await tab.locator('fieldset', { hasText: 'p1-out-01' }).first().innerText(), /提出済み/);
  await context.close();

  // The secretariat approves; the evaluation changes only then.
  const admin = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  await signIn(admin, 'admin', 'a-new-long-password-2026');
  const before = await cumulative(admin, 'p1-out-01', 2024);
  await admin.goto(`${base}/approval?fy=2024`);
  await admin.getByRole('button', { name: '表示中のすべてを承認' }).click();
  assert.equal(await cumulative(admin, 'p1-out-01', 2024), before + 5);
  await admin.goto(`${base}/indicators/p1-out-01?as_of=2024`);
  assert.match(await admin.locator('body').innerText(), /承認済み/);
  await admin.screenshot({ path: join(screenshots, 'indicator-after-approval.png'), fullPage: true });
  await admin.close();
});
