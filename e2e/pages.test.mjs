// Browser tests: the real `pdca serve` on a fresh SQLite database with the demo data set, driven in
// Debian's headless Chromium. Screenshots of the dashboard, a project page, an indicator page, the
// rounds and the upload pages (at 1366 px and 390 px) are written under target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, addUser, launchBrowser, newPage, checkPage, screenshots } from './harness.mjs';

let server, base, oneTimePassword, browser;

// Each test signs in with accounts of its own (the first with the one-time password of the
// `admin` the first start created), so none depends on another having run.
const SECRETARIAT = ['e2e-secretariat', 'secretariat-password-2026'];
const BODY = ['amed-staff', 'amed-password-2026'];

before(async () => {
  server = await startServer();
  ({ base, oneTimePassword } = server);
  addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
  addUser(server, BODY[0], 'body', BODY[1], 'amed');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('the secretariat signs in, changes the one-time password and reads the pages', async () => {
  assert.ok(oneTimePassword, 'serve printed the one-time password');
  const page = await newPage(browser, 1366);

  // Pages need a session: the dashboard sends us to the sign-in page.
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/signin/);
  await checkPage(page, 'signin');
  await page.getByLabel(/ユーザー名|名前|Name/).fill('admin');
  await page.getByLabel(/^パスワード|^Password/).fill('wrong-password-1');
  await page.locator('form[action="/signin"] button[type="submit"], form[action="/signin"] input[type="submit"]').first().click();
  assert.match(page.url(), /\/signin/, 'a wrong password is refused');

  await page.getByLabel(/ユーザー名|名前|Name/).fill('admin');
  await page.getByLabel(/^パスワード|^Password/).fill(oneTimePassword);
  await page.locator('form[action="/signin"] button[type="submit"], form[action="/signin"] input[type="submit"]').first().click();

  // The one-time password must be changed first.
  assert.match(page.url(), /\/account\/password/);
  await checkPage(page, 'password');
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
  await page.context().close();
});

// Issue 11: an upload with hundreds of wrong rows lists the first 200 and the total; an upload
// whose value was changed by someone else after the preview is not applied, and the page says
// who changed what. Screenshots at 1366 px and at 390 px (a phone). Works on p1-out-02, FY2024.
test('an upload lists at most 200 errors, and one overtaken after its preview is not applied', { timeout: 120_000 }, async () => {
  for (const [width, suffix] of [[1366, ''], [390, '-390']]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, ...BODY);
    await page.goto(`${base}/entry?fy=2024`);
    const wrong = ['指標ID,年度,実績,報告機関']
      .concat(Array.from({ length: 300 }, (_, i) => `no-such-${i},2024,1,amed`)).join('\n');
    await page.locator('#upload-file').setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: Buffer.from(wrong) });
    await page.locator('form[action="/entry/upload"] button[type="submit"]').click();
    assert.equal(await page.locator('tr.upload-error').count(), 200, 'the first 200 errors are listed');
    assert.match(await page.locator('.upload-more-errors').innerText(), /300/, 'the total is said');
    await page.screenshot({ path: join(screenshots, `upload-errors${suffix}.png`), fullPage: false });

    await page.goto(`${base}/entry?fy=2024`);
    const value = width === 1366 ? 11 : 12;
    await page.locator('#upload-file').setInputFiles({
      name: 'p1-out-02.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`指標ID,年度,実績,報告機関\np1-out-02,2024,${value},amed\n`),
    });
    await page.locator('form[action="/entry/upload"] button[type="submit"]').click();
    assert.equal(await page.locator('tr.upload-row').count(), 1, 'the preview lists the row');
    // Someone else saves p1-out-02 in another tab before the preview is applied.
    const other = await context.newPage();
    await other.goto(`${base}/entry?fy=2024`);
    const newer = String(value - 3);
    await other.locator('[name="value:p1-out-02"]').fill(newer);
    // The save is done once the page is back at the row (closing the tab earlier could stop it).
    await Promise.all([other.waitForURL(/#ind-p1-out-02$/), other.getByRole('button', { name: '一時保存' }).click()]);
    await other.close();
    await page.locator('form[action="/entry/upload/apply"] button[type="submit"]').click();
    const text = await page.locator('main').innerText();
    assert.match(text, /p1-out-02/, 'the page names the value changed since the preview');
    assert.match(text, new RegExp(BODY[0]), 'and who changed it');
    await page.screenshot({ path: join(screenshots, `upload-overtaken${suffix}.png`), fullPage: true });
    await page.goto(`${base}/entry?fy=2024`);
    assert.equal(await page.locator('[name="value:p1-out-02"]').inputValue(), newer, 'the newer value is kept');
    await context.close();
  }
});

/** Signs in on `page` with the sign-in form. */
async function signIn(page, name, password) {
  await page.goto(`${base}/signin`);
  await page.getByLabel(/ユーザー名|名前|Name/).fill(name);
  await page.getByLabel(/^パスワード|^Password/).fill(password);
  await page.locator('form[action="/signin"] button[type="submit"]').first().click();
}

// Every page at both widths (issue 12): the pages no journey walks through — the API tokens (with
// one created), the plans, the open data, the error pages (404 and 403), the approval queue with
// nothing pending, a plan file refused, and the English version of the pages — each held to the
// floor by checkPage (axe-core, no sideways scrolling at 320 px) with screenshots at 1366 and 390 px.
const VIEWER = ['pages-viewer', 'viewer-password-2026'];
const COMMITTEE = ['pages-committee', 'committee-password-2026'];

test('the pages no journey walks through, at 1366 px and 390 px', { timeout: 300_000 }, async () => {
  addUser(server, VIEWER[0], 'viewer', VIEWER[1]);
  addUser(server, COMMITTEE[0], 'committee', COMMITTEE[1]);
  for (const width of [1366, 390]) {
    const page = await newPage(browser, width);
    await signIn(page, ...SECRETARIAT);
    assert.doesNotMatch(page.url(), /\/signin/, 'the secretariat is signed in');

    // API tokens: none yet, then one created (its secret shown once) and listed.
    await page.goto(`${base}/account/tokens`);
    await checkPage(page, 'pages-tokens-empty');
    await page.locator('#token-name').fill(`集計スクリプト ${width}`);
    await page.locator('form[action="/account/tokens"] button[type="submit"]').click();
    await page.waitForLoadState();
    assert.ok(await page.locator('code.secret').count() === 1, 'the new secret is shown');
    assert.match(await page.locator('table.tokens').innerText(), new RegExp(`集計スクリプト ${width}`));
    await checkPage(page, 'pages-tokens-created');

    // The plans, and a plan file that is not one refused with its reasons.
    await page.goto(`${base}/admin/plans`);
    assert.ok(await page.locator('table').count() > 0, 'the built-in plan is listed');
    await checkPage(page, 'pages-admin-plans');
    await page.locator('#plan-file').setInputFiles({
      name: 'broken.toml', mimeType: 'application/toml', buffer: Buffer.from('id = "x"\nname = \n'),
    });
    await page.locator('form[action="/admin/plans"] button[type="submit"]').click();
    await page.waitForLoadState();
    assert.ok(await page.locator('.error, .plan-file-errors').count() > 0, 'the broken file is refused');
    await checkPage(page, 'pages-admin-plans-refused');

    // The open data files.
    await page.goto(`${base}/open-data`);
    assert.ok(await page.locator('ul.files a').count() > 0, 'the files are listed');
    await checkPage(page, 'pages-open-data');

    // Achievements (issue 15): the duplicates the demo planted, a body's entry page as the
    // secretariat sees it, and an indicator's lists of achievements by year.
    await page.goto(`${base}/achievements/duplicates`);
    assert.ok(await page.locator('[id^="pair-"]').count() >= 3, 'the planted pairs are listed');
    await checkPage(page, 'pages-achievement-duplicates');
    await page.goto(`${base}/achievements/entry?fy=2022&body=amed`);
    await checkPage(page, 'pages-achievement-entry');
    await page.goto(`${base}/indicators/p1-out-01`);
    assert.ok(await page.locator('[id^="achievements-"]').count() > 0, 'the lists by year');
    await checkPage(page, 'pages-indicator-achievements');

    // The approval queue with nothing pending (nothing has been submitted on this server).
    await page.goto(`${base}/approval`);
    assert.match(await page.locator('main').innerText(), /承認を待つ実績はありません/);
    await checkPage(page, 'pages-approval-empty');

    // A page that does not exist: the 404 page.
    const missing = await page.goto(`${base}/no-such-page`);
    assert.equal(missing.status(), 404);
    await checkPage(page, 'pages-not-found');
    const missingIndicator = await page.goto(`${base}/indicators/no-such-indicator`);
    assert.equal(missingIndicator.status(), 404);
    await checkPage(page, 'pages-indicator-not-found');

    // The password page on a phone too (the journey above sees it at 1366 px only).
    await page.goto(`${base}/account/password`);
    await checkPage(page, 'pages-password');

    // The English version, switched to from the menu's link, then a few pages in English.
    await page.goto(`${base}/lang/en?next=/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await checkPage(page, 'pages-en-dashboard');
    for (const [path, name] of [['/rounds', 'rounds'], ['/tasks', 'tasks'], ['/entry', 'entry'],
      ['/approval', 'approval'], ['/admin/plans', 'admin-plans'], ['/account/tokens', 'tokens'],
      ['/open-data', 'open-data'], ['/help/terms', 'help-terms'], ['/no-such-page', 'not-found']]) {
      await page.goto(`${base}${path}`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'en', path);
      await checkPage(page, `pages-en-${name}`);
    }
    await page.goto(`${base}/lang/ja?next=/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
    await page.context().close();

    // A page a viewer may not open: the 403 page; and the viewer's tasks.
    const viewer = await newPage(browser, width);
    await signIn(viewer, ...VIEWER);
    const forbidden = await viewer.goto(`${base}/admin/users`);
    assert.equal(forbidden.status(), 403);
    await checkPage(viewer, 'pages-forbidden');
    await viewer.goto(`${base}/tasks`);
    await checkPage(viewer, 'pages-viewer-tasks');
    await viewer.context().close();
  }
});
