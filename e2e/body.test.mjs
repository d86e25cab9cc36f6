// A reporting body's journey (issue 12), at 1366 px and at 390 px, each on a fresh server with the
// demo data: the body types values and presses 「保存して提出」 without saving first — the
// confirmation states the count, and the values are saved and submitted; it uploads a file and
// applies the preview; the secretariat returns a value with a reason; the body sees the reason
// next to the field, answers and resubmits; the secretariat approves everything shown through the
// confirmation. Typing and leaving without saving asks first (beforeunload). Every page is held
// to the floor by checkPage (axe-core, no sideways scrolling at 320 px, screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const SECRETARIAT = ['body-e2e-secretariat', 'body-e2e-secretariat-password-2026'];
const BODY = ['body-e2e-amed', 'body-e2e-amed-password-2026'];
const FY = 2024;
const ENTRY = `/entry?fy=${FY}`;

/** The row of an indicator on the entry page. */
function row(page, id) {
  return page.locator(`tr[id="ind-${id}"]`);
}

/** Presses 「保存して提出」, checks the confirmation and confirms; returns the confirmation's text. */
async function saveAndSubmit(page, name) {
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/entry'),
    page.getByRole('button', { name: '保存して提出' }).click(),
  ]);
  const consequence = await page.locator('.confirm-box .consequence').innerText();
  assert.match(consequence, new RegExp(`令和6年度の実績 \\d+件を提出します。提出後は事務局の承認・差戻しまで変更できません。`));
  if (name) await checkPage(page, name);
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: '提出する' }).click(),
  ]);
  return consequence;
}

for (const width of [1366, 390]) {
  test(`a body enters, submits, uploads and answers a returned value at ${width} px`, { timeout: 240_000 }, async () => {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
      addUser(server, BODY[0], 'body', BODY[1], 'amed');
      const body = await newPage(browser, width);
      await signIn(body, server, ...BODY);
      await body.goto(`${server.base}${ENTRY}`);
      assert.match(await body.locator('h1').innerText(), /実績の入力/);
      // The workbook and the upload come before the form.
      const top = await body.evaluate(() => {
        const at = (selector) => document.querySelector(selector)?.getBoundingClientRect().top ?? -1;
        return { upload: at('#upload-file'), form: at('#entry-form') };
      });
      assert.ok(top.upload >= 0 && top.upload < top.form, 'the upload is above the form');
      assert.match(await body.locator('.save-bar').innerText(), /入力済み \d+\/\d+/);
      await checkPage(body, 'body-entry');

      // A value refused: everything typed stays, the summary links to the field.
      await body.locator('#value-p1-out-01').fill('-3');
      await body.locator('#value-p1-out-02').fill('4');
      await body.getByRole('button', { name: '一時保存' }).click();
      await body.waitForLoadState('load');
      const summary = body.locator('.error-summary');
      assert.equal(await summary.count(), 1, 'the error summary');
      assert.equal(await summary.locator('a[href="#value-p1-out-01"]').count(), 1, 'it links to the field');
      assert.equal(await body.locator('#value-p1-out-01').inputValue(), '-3', 'the refused value is kept');
      assert.equal(await body.locator('#value-p1-out-02').inputValue(), '4', 'and the other one typed');
      assert.equal(await body.locator('#value-p1-out-01').getAttribute('aria-invalid'), 'true');
      await checkPage(body, 'body-entry-refused');

      // Typed, not saved, and 保存して提出 pressed: saved and submitted through the confirmation.
      await body.locator('#value-p1-out-01').fill('５件');
      await saveAndSubmit(body, 'body-entry-confirm');
      assert.match(body.url(), /#ind-p1-out-0[12]$/, `back at the row: ${body.url()}`);
      assert.match(await body.locator('.notice').innerText(), /の値を保存しました。令和6年度の実績 \d+件を提出しました/);
      for (const id of ['p1-out-01', 'p1-out-02']) {
        assert.match(await row(body, id).locator('.entry-state').innerText(), /提出済み/, `${id} submitted`);
      }
      assert.match(await row(body, 'p1-out-01').innerText(), /5/, 'the value typed was kept');

      // An upload: preview, then applied as a draft.
      await body.locator('#upload-file').setInputFiles({
        name: 'p1-out-03.csv', mimeType: 'text/csv',
        buffer: Buffer.from(`指標ID,年度,実績,報告機関\np1-out-03,${FY},2,amed\n`),
      });
      await body.locator('form[action="/entry/upload"] button[type="submit"]').click();
      await body.waitForLoadState('load');
      assert.equal(await body.locator('tr.upload-row').count(), 1, 'the preview lists the row');
      await checkPage(body, 'body-upload-preview');
      await body.locator('form[action="/entry/upload/apply"] button[type="submit"]').click();
      await body.waitForLoadState('load');
      assert.match(await body.locator('.notice').innerText(), /1件を取り込み、一時保存しました/);
      assert.match(await row(body, 'p1-out-03').locator('.entry-state').innerText(), /一時保存/);

      // The secretariat returns p1-out-01 with a reason.
      const secretariat = await newPage(browser, width);
      await signIn(secretariat, server, ...SECRETARIAT);
      await secretariat.goto(`${server.base}/approval?fy=${FY}`);
      const pending = secretariat.locator('tr', { has: secretariat.locator('a[href^="/indicators/p1-out-01?"]') });
      assert.equal(await pending.count(), 1, 'p1-out-01 awaits approval');
      assert.match(await pending.locator('td.previous').innerText(), /\S/, 'with last year\'s value');
      assert.match(await pending.locator('td.target').innerText(), /\d/, 'and the target');
      await checkPage(secretariat, 'body-journey-approval');
      await pending.locator('textarea[name="comment"]').fill('根拠資料の件数と合いません。確認してください。');
      await pending.getByRole('button', { name: '差戻し', exact: true }).click();
      await secretariat.waitForLoadState('load');
      assert.match(await secretariat.locator('.notice').innerText(), /差し戻しました/);

      // The body sees the return with the reason next to the field, answers and resubmits.
      await body.goto(`${server.base}${ENTRY}`);
      const returned = row(body, 'p1-out-01');
      assert.match(await returned.locator('.entry-state').innerText(), /差戻し/);
      assert.match(await returned.locator('.return-reason').innerText(), /根拠資料の件数と合いません/);
      const describedBy = await body.locator('#value-p1-out-01').getAttribute('aria-describedby');
      assert.match(describedBy ?? '', /reason-p1-out-01/, 'the field is described by the reason');
      await checkPage(body, 'body-entry-returned');
      await body.locator('#value-p1-out-01').fill('6');
      const consequence = await saveAndSubmit(body);
      assert.match(consequence, /2件を提出します/, 'the answer and the uploaded draft');
      assert.match(await returned.locator('.entry-state').innerText(), /提出済み/);
      assert.match(await returned.innerText(), /6/);

      // The secretariat approves everything shown, through the confirmation.
      await secretariat.goto(`${server.base}/approval?fy=${FY}`);
      await secretariat.getByRole('button', { name: '表示中のすべてを承認' }).click();
      await secretariat.waitForLoadState('load');
      assert.match(await secretariat.locator('.confirm-box .consequence').innerText(), /令和6年度の実績 \d+件を承認します。/);
      await checkPage(secretariat, 'body-journey-approve-all-confirm');
      await secretariat.locator('.confirm-form button[type="submit"]').click();
      await secretariat.waitForLoadState('load');
      assert.match(await secretariat.locator('.notice').innerText(), /承認しました/);
      await body.goto(`${server.base}${ENTRY}`);
      assert.match(await row(body, 'p1-out-01').locator('.entry-state').innerText(), /承認済み/);
    } finally {
      await browser.close();
      server.stop();
    }
  });
}

test('typing without saving and leaving the entry page asks first', { timeout: 120_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    addUser(server, BODY[0], 'body', BODY[1], 'amed');
    const page = await newPage(browser, 1366);
    await signIn(page, server, ...BODY);
    await page.goto(`${server.base}${ENTRY}`);
    const dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.type());
      await dialog.dismiss();
    });
    // Leaving untouched asks nothing.
    await page.locator('header.site .app-name a').click();
    await page.waitForLoadState('load');
    assert.deepEqual(dialogs, [], 'no warning without changes');
    await page.goto(`${server.base}${ENTRY}`);
    await page.locator('#value-p1-out-01').click();
    await page.keyboard.type('8');
    await page.locator('header.site .app-name a').click();
    await page.waitForTimeout(500);
    assert.deepEqual(dialogs, ['beforeunload'], 'the browser asks before leaving');
    assert.equal(new URL(page.url()).pathname, '/entry', 'staying keeps the page');
    assert.equal(await page.locator('#value-p1-out-01').inputValue(), '8', 'and the value typed');
  } finally {
    await browser.close();
    server.stop();
  }
});

/** The engine's cumulative for an indicator as of a year, read through the JSON API. */
async function cumulative(page, server, id, asOf) {
  const response = await page.request.get(`${server.base}/api/v1/evaluations?as_of=${asOf}`);
  assert.equal(response.status(), 200);
  const evaluation = await response.json();
  return evaluation.indicators.find((i) => i.id === id).cumulative;
}

// Moved from pages.test.mjs and adapted to the one form: a stale tab gets the conflict and keeps
// what it typed; the evaluation counts a value only once the secretariat approves it.
test('a stale tab gets the conflict and keeps its value; a value counts once approved', { timeout: 120_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
    addUser(server, BODY[0], 'body', BODY[1], 'amed');
    const tab = await newPage(browser, 1366);
    await signIn(tab, server, ...BODY);
    await tab.goto(`${server.base}${ENTRY}`);
    // A second tab of the same person, opened before any change: it will be stale.
    const stale = await tab.context().newPage();
    await stale.goto(`${server.base}${ENTRY}`);

    await tab.locator('#value-p1-out-01').fill('５件');
    await tab.getByRole('button', { name: '一時保存' }).click();
    await tab.waitForLoadState('load');
    assert.match(tab.url(), /#ind-p1-out-01$/, 'back at the row');
    assert.match(await tab.locator('.notice').innerText(), /非臨床POCの取得件数の値を保存しました/);
    assert.equal(await tab.locator('#value-p1-out-01').inputValue(), '5');
    assert.match(await row(tab, 'p1-out-01').locator('.entry-state').innerText(), /一時保存/);

    // The stale tab still holds the version it read: its save is refused with the current value,
    // and what it typed stays in the field.
    await stale.locator('#value-p1-out-01').fill('7');
    await stale.getByRole('button', { name: '保存して提出' }).click();
    await stale.waitForLoadState('load');
    const conflict = stale.locator('[id^="conflict-"]');
    assert.equal(await conflict.count(), 1, 'the stale tab is told about the conflict');
    assert.match(await conflict.innerText(), /5/);
    assert.equal(await stale.locator('#value-p1-out-01').inputValue(), '7', 'its value is kept');
    await checkPage(stale, 'body-entry-conflict');
    await stale.close();

    await tab.goto(`${server.base}${ENTRY}`);
    await saveAndSubmit(tab);
    assert.match(await row(tab, 'p1-out-01').locator('.entry-state').innerText(), /提出済み/, 'nothing was submitted by the stale tab');
    assert.match(await row(tab, 'p1-out-01').innerText(), /5/);

    const admin = await newPage(browser, 1366);
    await signIn(admin, server, ...SECRETARIAT);
    const before = await cumulative(admin, server, 'p1-out-01', FY);
    await admin.goto(`${server.base}/approval?fy=${FY}`);
    await admin.getByRole('button', { name: '表示中のすべてを承認' }).click();
    await admin.waitForLoadState('load');
    assert.equal(await cumulative(admin, server, 'p1-out-01', FY), before, 'not yet: only asked');
    await admin.locator('.confirm-form button[type="submit"]').click();
    await admin.waitForLoadState('load');
    assert.equal(await cumulative(admin, server, 'p1-out-01', FY), before + 5);
  } finally {
    await browser.close();
    server.stop();
  }
});
