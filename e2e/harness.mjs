// What every browser test shares: the real `pdca serve --demo` on a fresh SQLite database, Debian's
// headless Chromium, signing in as an account made with the CLI, and `checkPage`, which holds every
// page to the floor the issue sets — axe-core finds nothing (WCAG 2.0/2.1 A and AA), the page does
// not scroll sideways on a 320 px screen — and keeps screenshots of it under target/screenshots/.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const binary = process.env.PDCA_BIN ?? join(root, 'target', 'debug', 'pdca');
export const screenshots = join(root, 'target', 'screenshots');

/**
 * Starts `pdca serve --demo` on port 0 over a new SQLite database in a temporary folder and
 * resolves once it listens: `{ base, database, oneTimePassword, stop() }`.
 */
export function startServer() {
  mkdirSync(screenshots, { recursive: true });
  const workdir = mkdtempSync(join(tmpdir(), 'pdca-e2e-'));
  const database = join(workdir, 'pdca.sqlite3');
  const child = spawn(binary, ['--db', database, 'serve', '--demo', '--addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const server = {
    base: undefined,
    database,
    oneTimePassword: undefined,
    stop() {
      child.kill('SIGTERM');
      rmSync(workdir, { recursive: true, force: true });
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pdca serve did not start in 60 s')), 60_000);
    child.on('exit', (code) => reject(new Error(`pdca serve exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const password = line.match(/初回パスワード.*: (\S+)$/);
      if (password) server.oneTimePassword = password[1];
      const address = line.match(/(http:\/\/127\.0\.0\.1:\d+)\//);
      if (address && !server.base) {
        clearTimeout(timer);
        server.base = address[1];
        resolve(server);
      }
    });
  });
}

/** Adds an account with the CLI, as the secretariat would (role: secretariat|body|committee|viewer). */
export function addUser(server, name, role, password, body) {
  const args = ['--db', server.database, 'user', 'add', name, '--role', role, '--password-stdin'];
  if (body) args.push('--body', body);
  execFileSync(binary, args, { input: `${password}\n` });
}

/** Debian's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
  });
}

/** A page in a context of its own (its own cookies), in Japanese, `width` px wide. */
export async function newPage(browser, width = 1366) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
  // A step that cannot happen fails in seconds with what it waited for, not at the test's timeout.
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Signs in on the sign-in page as `name` and waits for the page it leads to. */
export async function signIn(page, server, name, password) {
  await page.goto(`${server.base}/signin`);
  await page.locator('form[action="/signin"] input[name="name"], #name').first().fill(name);
  await page.locator('form[action="/signin"] input[type="password"]').first().fill(password);
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('form[action="/signin"] button[type="submit"]').first().click(),
  ]);
  assert.doesNotMatch(new URL(page.url()).pathname, /^\/signin/, `${name} could sign in`);
}

/** The axe-core violations of the page as it is now, for the WCAG 2.0 and 2.1 A and AA rules. */
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations;
}

function describe(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`)
    .join('\n');
}

/**
 * Holds the page to the floor: no axe-core violation; a screenshot `<name>-<width>.png` at the
 * page's width; then at 320 px, nothing wider than the screen (no sideways scrolling, WCAG 1.4.10)
 * and a screenshot `<name>-320.png`; the width is put back afterwards.
 */
export async function checkPage(page, name) {
  const viewport = page.viewportSize() ?? { width: 1366, height: 900 };
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `axe-core on ${name} at ${viewport.width} px:\n${describe(violations)}`);
  await page.screenshot({ path: join(screenshots, `${name}-${viewport.width}.png`), fullPage: true });

  await page.setViewportSize({ width: 320, height: viewport.height });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        // What scrolls inside its own box (a wide table in .table-scroll) does not count.
        return r.right > width + 1 && !e.closest('.table-scroll, pre');
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, wide };
  });
  await page.screenshot({ path: join(screenshots, `${name}-320.png`), fullPage: true });
  await page.setViewportSize(viewport);
  assert.ok(
    overflow.scrollWidth <= overflow.width,
    `${name} scrolls sideways at 320 px (${overflow.scrollWidth} px wide): ${overflow.wide.join(', ')}`,
  );
}
