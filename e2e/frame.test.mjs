// The frame (issue 12): the sign-in page, 用語の説明 and the secretariat's dashboard at 1366 and
// 390 px, each held to the floor by checkPage (axe-core, no sideways scrolling at 320 px,
// screenshots); at 390 px the main menu is collapsed behind 「メニュー」 and opens by click and by
// keyboard; the focus ring is the Digital Agency Design System's black outline on a yellow ring.
// Leaving a page with something typed in a form but not sent asks first (the frame's forms.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const SECRETARIAT = ['frame-secretariat', 'frame-secretariat-password-2026'];
let server, browser;

before(async () => {
  server = await startServer();
  addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Whether the main menu's links are shown. */
async function menuShown(page) {
  return page.locator('header.site nav a[href="/help/terms"]').isVisible();
}

for (const width of [1366, 390]) {
  test(`the sign-in page and the help page at ${width} px`, { timeout: 120_000 }, async () => {
    const page = await newPage(browser, width);
    await page.goto(`${server.base}/signin`);
    await checkPage(page, 'frame-signin');

    await page.goto(`${server.base}/help/terms`);
    assert.equal(await page.locator('h1').textContent(), '用語の説明');
    for (const id of ['progress', 'expected', 'pace', 'outlook', 'not-reported', 'auto-judgement',
      'rating', 'sub-target', 'management-indicator', 'locked']) {
      assert.equal(await page.locator(`[id="${id}"]`).count(), 1, `the anchor #${id}`);
    }
    await checkPage(page, 'frame-help-terms');
    await page.context().close();
  });

  test(`the secretariat's dashboard and its menu at ${width} px`, { timeout: 120_000 }, async () => {
    const page = await newPage(browser, width);
    await signIn(page, server, ...SECRETARIAT);
    await page.goto(`${server.base}/`);
    const summary = page.locator('details.menu > summary');
    if (width >= 768) {
      assert.ok(await menuShown(page), 'the menu is always shown on a wide screen');
      assert.ok(!(await summary.isVisible()), 'no menu button on a wide screen');
      // The menu's items keep their words on one line.
      const heights = await page.locator('header.site nav li').evaluateAll((items) =>
        items.map((li) => li.getBoundingClientRect().height));
      assert.ok(Math.max(...heights) < 60, `menu items one line high: ${heights}`);
    } else {
      assert.ok(await summary.isVisible(), 'the menu button is shown');
      assert.ok(!(await menuShown(page)), 'the menu is collapsed');
      await summary.click();
      assert.ok(await menuShown(page), 'a click opens the menu');
      await page.screenshot({ path: `../target/screenshots/frame-menu-open-${width}.png`, fullPage: true });
      await summary.click();
      assert.ok(!(await menuShown(page)), 'a second click closes it');
      // By keyboard: from the service's name, Tab reaches the menu button.
      await page.locator('header.site .app-name a').focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY');
      await page.keyboard.press('Enter');
      assert.ok(await menuShown(page), 'Enter opens the menu');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('nav') !== null), true,
        'Tab goes into the opened menu');
      await summary.focus();
      await page.keyboard.press('Enter');
      assert.ok(!(await menuShown(page)), 'Enter closes it again');
    }

    // The focus ring, as a keyboard user sees it on a link and on a button.
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`, shadow: style.boxShadow };
    });
    assert.equal(ring.outline, 'solid 4px rgb(0, 0, 0)');
    assert.match(ring.shadow, /rgb\(255, 212, 61\) 0px 0px 0px 2px/);
    const button = page.locator('form[action="/"] button, main button').first();
    if (await button.count()) {
      await button.focus();
      const buttonRing = await button.evaluate((b) => {
        const style = getComputedStyle(b);
        return { outline: `${style.outlineStyle} ${style.outlineWidth}`, height: b.getBoundingClientRect().height };
      });
      assert.equal(buttonRing.outline, 'solid 4px');
      assert.ok(buttonRing.height >= 44, `a button is at least 44 px high (${buttonRing.height})`);
    }
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await checkPage(page, 'frame-dashboard');
    await page.context().close();
  });
}

test('leaving a page with a typed but unsent form asks first; sending it or leaving untouched does not', { timeout: 120_000 }, async () => {
  const page = await newPage(browser, 1366);
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.type());
    await dialog.dismiss();
  });
  await signIn(page, server, ...SECRETARIAT);
  const home = page.locator('header.site .app-name a');

  // Sending the round's opening form is not leaving it.
  await page.goto(`${server.base}/rounds`);
  await page.getByLabel('対象年度（実績の年度）').fill('2022');
  await page.getByLabel(/報告期限/).fill('2023-04-30');
  await page.getByRole('button', { name: '開始する' }).click();
  await page.waitForLoadState('load');
  assert.match(new URL(page.url()).pathname, /^\/rounds\/2022/);
  assert.deepEqual(dialogs, [], 'sending a form asks nothing');

  // A page left untouched asks nothing.
  const round = page.url();
  await home.click();
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).pathname, '/', 'left without a question');
  assert.deepEqual(dialogs, [], 'no warning without changes');

  // A reason typed in an indicator's rating editor: leaving asks, and staying keeps it.
  await page.goto(round);
  const row = page.locator('li.indicator-row:has(details.rating-editor)').first();
  const id = (await row.getAttribute('id')).replace(/^ind-/, '');
  await row.locator('details.rating-editor > summary').click();
  const reason = row.locator('textarea[name="reason"]');
  await reason.click();
  await page.keyboard.type('目標の前倒し達成');
  await home.click();
  await page.waitForTimeout(500);
  assert.deepEqual(dialogs, ['beforeunload'], 'the browser asks before leaving');
  assert.match(new URL(page.url()).pathname, /^\/rounds\/2022/, 'staying keeps the page');
  assert.equal(await reason.inputValue(), '目標の前倒し達成', 'and the text typed');

  // Sending that form asks nothing.
  await row.locator('input[name="rating"]').first().check();
  await row.getByRole('button', { name: '評価を記録' }).click();
  await page.waitForLoadState('load');
  assert.match(page.url(), new RegExp(`#ind-${id}$`), 'back at the row, recorded');
  assert.deepEqual(dialogs, ['beforeunload'], 'sending the form asks nothing');

  // Typing and deleting back is no change.
  const other = page.locator('li.indicator-row:has(details.rating-editor)').nth(1);
  await other.locator('details.rating-editor > summary').click();
  await other.locator('textarea[name="issue"]').click();
  await page.keyboard.type('仮');
  await page.keyboard.press('Backspace');
  await home.click();
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).pathname, '/', 'left without a question');
  assert.deepEqual(dialogs, ['beforeunload'], 'no warning once the text is deleted again');
  await page.context().close();
});
