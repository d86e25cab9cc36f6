// 「計画の本文から作成」 (issue 14), at 1366 px and at 390 px, each on a fresh demo server: the
// secretariat pastes the seed's KPI annex with one target changed, reads it, sees every source line
// beside what it became, corrects one target in place, reads again, sees the difference from the
// revision in force, saves it as revision 2 and finds the changes on the plan's changes page. Every
// page is held to the floor by checkPage (axe-core, no sideways scrolling at 320 px, screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const SECRETARIAT = ['plans-e2e-secretariat', 'plans-e2e-secretariat-password-2026'];
const ANNEX = readFileSync(join(root, 'crates/pdca-core/tests/data/seed_annex_2.txt'), 'utf8');

/** The row of the changes table for indicator `id`. */
function changeRow(page, id) {
  return page.locator('table.plan-changes tbody tr').filter({ has: page.locator('td.indicator-id', { hasText: new RegExp(`^${id}$`) }) });
}

for (const width of [1366, 390]) {
  test(`a revision drafted from the plan's text, corrected and saved at ${width} px`, { timeout: 240_000 }, async () => {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
      const page = await newPage(browser, width);
      await signIn(page, server, ...SECRETARIAT);
      await page.goto(`${server.base}/admin/plans`);
      await page.getByRole('link', { name: '計画の本文から作成する' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/plans/draft');
      await checkPage(page, `plans-draft-empty-${width}`);

      // The seed's annex, with the first target raised from 25 to 30 (the first 「25件」 is on
      // 非臨床POCの取得件数 of 医薬品プロジェクト, p1-out-01).
      const changed = ANNEX.replace('POC1の取得件数 25件', 'POC1の取得件数 30件');
      assert.notEqual(changed, ANNEX);
      await page.getByLabel('登録済みの計画の改定（一部変更）').check();
      await page.getByLabel('適用開始年度').fill('令和5年度');
      await page.getByLabel('計画の本文').fill(changed);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: '読み取って確認する' }).click(),
      ]);
      assert.equal(await page.locator('.error-summary').count(), 0, 'no field refused');
      // Every source line is accounted for, beside what it became.
      const lines = ANNEX.split('\n').length - (ANNEX.endsWith('\n') ? 1 : 0);
      assert.equal(await page.locator('table.draft-lines tbody tr').count(), lines, 'one row per line');
      assert.match(await page.locator('#line-11').innerText(), /p1-out-01/);
      assert.match(await page.locator('#line-1').innerText(), /使わなかった行/);
      const target = page.locator('input[name="target.p1-out-02"]');
      assert.equal(await target.inputValue(), '10件', 'the second indicator of p1 (line 13)');
      assert.match(await changeRow(page, 'p1-out-01').innerText(), /25件[\s\S]*30件/);
      await checkPage(page, `plans-draft-preview-${width}`);

      // Correct one field in place and read again: the correction is kept and in the changes.
      await target.fill('12件');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: '直した内容で読み取り直す' }).click(),
      ]);
      assert.equal(await page.locator('input[name="target.p1-out-02"]').inputValue(), '12件', 'the correction stays');
      assert.match(await changeRow(page, 'p1-out-02').innerText(), /10件[\s\S]*12件/);
      assert.match(await changeRow(page, 'p1-out-01').innerText(), /25件[\s\S]*30件/);
      assert.match(await page.locator('.confirm-box .consequence').innerText(),
        /第2版として登録し、令和5年度以降の実績はこの版で評価します。変更は2件です。/);
      await checkPage(page, `plans-draft-corrected-${width}`);

      // Saved: back on the list of plans with what was saved, and the changes page shows both.
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/admin/plans'),
        page.getByRole('button', { name: 'この内容で登録する' }).click(),
      ]);
      assert.match(await page.locator('.notice').innerText(), /medical-rd-2.*版 2/);
      await page.getByRole('link', { name: '前の版との違い' }).first().click();
      await page.waitForURL((url) => url.pathname.endsWith('/changes'));
      assert.match(await changeRow(page, 'p1-out-02').innerText(), /10件[\s\S]*12件/);
      assert.match(await changeRow(page, 'p1-out-01').innerText(), /25件[\s\S]*30件/);
      await checkPage(page, `plans-changes-${width}`);
    } finally {
      await browser.close();
      server.stop();
    }
  });
}
