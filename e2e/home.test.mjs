// Each role's work (issue 12, items 2, 3 and 6): /tasks for a body, the secretariat and the
// committee, their home pages, the accounts, the assignments and the audit log, and the
// confirmations before disabling an account and removing an assignment; at 1366 and 390 px,
// each held to the floor by checkPage (axe-core, no sideways scrolling at 320 px, screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const USERS = {
  body: ['home-body', 'home-body-password-2026', 'amed'],
  secretariat: ['home-secretariat', 'home-secretariat-password-2026'],
  committee: ['home-committee', 'home-committee-password-2026'],
  viewer: ['home-viewer', 'home-viewer-password-2026'],
};
let server, browser;

before(async () => {
  server = await startServer();
  for (const [role, [name, password, body]] of Object.entries(USERS)) {
    addUser(server, name, role, password, body);
  }
  browser = await launchBrowser();
  // A round open for FY2024 with a deadline ahead, so that every role has work with dates.
  const page = await newPage(browser, 1366);
  await signIn(page, server, USERS.secretariat[0], USERS.secretariat[1]);
  await page.goto(`${server.base}/rounds`);
  await page.fill('#open-fy', '2024');
  const ahead = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  await page.fill('#open-deadline', ahead);
  await page.locator('form[action="/rounds"] button').click();
  await page.waitForLoadState();
  await page.close();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

for (const width of [1366, 390]) {
  for (const role of ['body', 'secretariat', 'committee']) {
    test(`the ${role}'s work at ${width} px`, { timeout: 180_000 }, async () => {
      const page = await newPage(browser, width);
      await signIn(page, server, USERS[role][0], USERS[role][1]);
      await page.goto(`${server.base}/tasks`);
      const main = await page.locator('main').textContent();
      assert.doesNotMatch(main, /p\d-out-[\w-]+（/, 'indicators are named, not given as ids');
      if (role === 'body') {
        assert.ok(await page.locator('#work-unreported, #work-returned, #work-awaiting, #work-reported').count() > 0, main);
        const links = await page.locator('.work-line a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(links.every((href) => /^\/entry\?.*#ind-/.test(href)), links.join(' '));
      }
      if (role === 'body') assert.match(main, /あと\d+日/, 'days left to the deadline');
      if (role === 'secretariat') {
        assert.match(main, /報告状況/);
        assert.match(main, /評価が未記録の指標/);
      }
      if (role === 'committee') {
        assert.match(main, /評価を待っている指標/);
        const links = await page.locator('#work-ratings .work-line a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(links.length > 0 && links.every((href) => /^\/rounds\/2024\?.*#ind-/.test(href)), links.join(' '));
      }
      await checkPage(page, `home-${role}-tasks`);
      await page.goto(`${server.base}/`);
      await checkPage(page, `home-${role}-home`);
      await page.close();
    });
  }

  test(`the secretariat's administration pages at ${width} px`, { timeout: 180_000 }, async () => {
    const page = await newPage(browser, width);
    await signIn(page, server, USERS.secretariat[0], USERS.secretariat[1]);
    await page.goto(`${server.base}/admin/users`);
    await checkPage(page, 'home-admin-users');

    // Disabling asks first, with what it does; going back leaves the account as it was.
    await page.locator(`#user-${USERS.viewer[0]} button.button-danger`).click();
    await page.waitForLoadState();
    const consequence = await page.locator('.consequence').textContent();
    assert.match(consequence, /を無効にします。サインインできなくな/);
    await checkPage(page, 'home-confirm-disable');
    await page.locator('main a.button-tertiary').click();
    await page.waitForLoadState();
    assert.match(page.url(), /\/admin\/users#user-/);

    await page.goto(`${server.base}/admin/bodies`);
    const danger = await page.locator('form[action="/admin/bodies/unassign"] button').evaluateAll((bs) => bs.map((b) => b.className));
    assert.ok(danger.length > 0 && danger.every((c) => c === 'button-danger'), danger.join(' '));
    await checkPage(page, 'home-admin-bodies');
    // Give p1-out-01 a second body (back at its row, with a notice naming both), then
    // removing one asks first.
    const bodies = await page.locator('#assign-body option').evaluateAll((os) => os.map((o) => o.value));
    const second = bodies.find((b) => b !== 'amed');
    await page.selectOption('#assign-indicator', 'p1-out-01');
    await page.selectOption('#assign-body', second);
    await page.locator('form[action="/admin/bodies/assign"] button').click();
    await page.waitForLoadState();
    assert.match(page.url(), /#assign-p1-out-01$/);
    assert.match(await page.locator('.notice').textContent(), /を割り当てました。/);
    await checkPage(page, 'home-admin-bodies-assigned');
    await page.locator('#assign-p1-out-01 button.button-danger').last().click();
    await page.waitForLoadState();
    assert.match(await page.locator('.consequence').textContent(), /を外します。/);
    await checkPage(page, 'home-confirm-unassign');
    await page.locator('main button.button-danger').click();
    await page.waitForLoadState();
    assert.match(page.url(), /#assign-p1-out-01$/);
    assert.match(await page.locator('.notice').textContent(), /を外しました。/);

    await page.goto(`${server.base}/admin/audit`);
    const log = await page.locator('main').textContent();
    assert.doesNotMatch(log, /user\.create|\{"/);
    assert.match(log, /を作成しました。/);
    await checkPage(page, 'home-admin-audit');
    await page.close();
  });
}
