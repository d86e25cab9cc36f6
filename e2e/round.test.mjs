// Browser tests of a follow-up round (issue 12): the secretariat opens a round, records a B with
// its issue and solution in the editor of its row, is refused closing with the list of what is
// missing, and closes through the confirmation; the next round follows the policy clause up; a
// committee member rates and writes an opinion; a viewer reads the closed round. Each journey runs
// at 1366 px and at 390 px (a phone), each width on a server of its own (fresh data), in that
// order: the committee and the viewer work on the rounds the secretariat left. Each page is held
// to axe-core and to a 320 px screen by `checkPage`, with screenshots under target/screenshots/
// (`<name>-<width>.png`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const WIDTHS = [1366, 390];
/** One server per width, each with its own database. */
const servers = {};
let browser;

const SECRETARIAT = ['round-secretariat', 'secretariat-password-2026'];
const BODY = ['round-amed', 'amed-password-2026'];
const COMMITTEE = ['round-committee', 'committee-password-2026'];
const VIEWER = ['round-viewer', 'viewer-password-2026'];

before(async () => {
  for (const width of WIDTHS) {
    const server = await startServer();
    servers[width] = server;
    addUser(server, SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
    addUser(server, BODY[0], 'body', BODY[1], 'amed');
    addUser(server, COMMITTEE[0], 'committee', COMMITTEE[1]);
    addUser(server, VIEWER[0], 'viewer', VIEWER[1]);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const server of Object.values(servers)) server.stop();
});

for (const width of WIDTHS) {
  test(`the secretariat opens a round, records a B in its row, closes through the confirmation; the next round follows the clause up (${width} px)`, { timeout: 300_000 }, async () => {
    const server = servers[width];
    const base = server.base;
    const admin = await newPage(browser, width);
    await signIn(admin, server, ...SECRETARIAT);

    // Open the round of FY2022 from the list of rounds.
    await admin.goto(`${base}/rounds`);
    await checkPage(admin, 'rounds');
    await admin.getByLabel('対象年度（実績の年度）').fill('2022');
    await admin.getByLabel(/報告期限/).fill('2023-04-30');
    await admin.getByRole('button', { name: '開始する' }).click();
    assert.match(admin.url(), /\/rounds\/2022/);
    assert.equal(await admin.locator('#round-state').innerText(), '実績収集中');
    assert.match(await admin.locator('p.notice').first().innerText(), /令和4年度のフォローアップを開始しました/);
    await admin.getByRole('button', { name: '次の段階に進める' }).click();
    assert.match(await admin.locator('#round-state').innerText(), /第1回会合/);

    const api = `${base}/api/v1/plans/medical-rd-2/rounds/2022`;
    const round = await (await admin.request.get(api)).json();
    const behind = round.indicators.find((i) => !i.management && i.proposal === 'B');
    assert.ok(behind, 'the demo has an indicator the automatic judgement puts at B');
    const managed = round.indicators.find((i) => i.management);
    assert.ok(managed, 'the plan has management indicators');
    assert.equal(await admin.locator(`#ind-${managed.id} input[name="rating"]`).count(), 0, 'management indicators are not rated');

    // One editor per row, closed until asked for.
    assert.equal(await admin.locator('details.rating-editor[open]').count(), 0);
    const row = admin.locator(`#ind-${behind.id}`);
    await row.locator('summary').click();
    await row.getByLabel(/^B 進捗が不十分/).check();
    await row.getByLabel('課題', { exact: true }).fill('企業への導出に向けた支援が不足している');
    await row.getByLabel('解決策', { exact: true }).fill('伴走支援の専門人材を配置する');
    await row.getByRole('button', { name: '評価を記録' }).click();
    assert.match(admin.url(), new RegExp(`#ind-${behind.id}$`), 'back at the row edited');
    const rowAfter = admin.locator(`#ind-${behind.id}`);
    assert.match(await rowAfter.locator('.notice').innerText(), /を B（進捗が不十分）で記録しました/);
    assert.equal(await rowAfter.locator('.rating-badge').innerText(), 'B');
    await checkPage(admin, 'round-open');

    // Closing now is refused with the list of what is missing, each linking to its row.
    await admin.getByRole('button', { name: 'フォローアップを終了する' }).click();
    const summary = admin.locator('.error-summary');
    assert.match(await summary.innerText(), /終了できません/);
    const first = summary.locator('a').first();
    const href = await first.getAttribute('href');
    assert.match(href, /^#ind-/);
    assert.equal(await admin.locator(href).count(), 1, 'the link has its row');
    await checkPage(admin, 'round-close-refused');

    // The other numeric indicators as judged (each B with an issue and a solution), through the
    // API with the session's CSRF token.
    const csrf = await admin.locator('input[name="csrf"]').first().inputValue();
    for (const indicator of round.indicators) {
      if (indicator.management || indicator.id === behind.id) continue;
      const response = await admin.request.post(`${api}/ratings`, {
        headers: { 'X-CSRF-Token': csrf },
        data: indicator.proposal === 'B'
          ? { indicator_id: indicator.id, rating: 'B', issue: '進捗の遅れ', solution: '重点的な支援' }
          : { indicator_id: indicator.id, rating: indicator.proposal ?? 'N' },
      });
      assert.equal(response.status(), 200, indicator.id);
    }

    // A priority item about the lagging indicator and a policy clause reflecting it: links chosen
    // from the lists by name.
    await admin.goto(`${base}/rounds/2022`);
    const priorityForm = admin.locator('#priority_item form');
    await priorityForm.getByLabel(/^表題/).fill('導出支援の強化');
    await priorityForm.getByLabel(/^本文/).fill('シーズの企業導出を加速する');
    await priorityForm.getByLabel(/関連する/).selectOption({ label: behind.name });
    await priorityForm.getByRole('button', { name: '追加' }).click();
    assert.match(admin.url(), /#item-\d+$/);
    const afterPriority = await (await admin.request.get(api)).json();
    const priority = afterPriority.priority_items[0];
    assert.equal(priority.title, '導出支援の強化');
    assert.match(await admin.locator(`#item-${priority.id} .notice`).innerText(), /を追加しました/);
    const clauseForm = admin.locator('#policy_clause form');
    await clauseForm.getByLabel(/^表題/).fill('第1項');
    await clauseForm.getByLabel(/^本文/).fill('導出支援に重点的に配分する');
    await clauseForm.getByLabel('予算への反映').fill('創薬支援推進事業');
    await clauseForm.getByLabel(/関連する/).selectOption([`#${priority.id}`, behind.id]);
    await clauseForm.getByRole('button', { name: '追加' }).click();
    assert.match(await admin.locator('#policy_clause').innerText(), /導出支援に重点的に配分する/);

    // Close through the confirmation, which states the count of values it locks.
    await admin.getByRole('button', { name: '次の段階に進める' }).click();
    assert.match(await admin.locator('#round-state').innerText(), /第2回会合/);
    await admin.getByRole('button', { name: 'フォローアップを終了する' }).click();
    assert.match(await admin.locator('.consequence').innerText(), /^令和4年度の承認済み実績 \d+件を確定し、ラウンドを終了します。$/);
    await checkPage(admin, 'round-confirm');
    await admin.getByRole('button', { name: 'フォローアップを終了する' }).click();
    assert.equal(await admin.locator('#round-state').innerText(), '終了', await admin.locator('body').innerText());
    await checkPage(admin, 'round-closed');
    const closed = await (await admin.request.get(api)).json();
    const clause = closed.policy_clauses[0];

    // The next round: the body reports what it did about the clause.
    await admin.goto(`${base}/rounds`);
    await admin.getByLabel('対象年度（実績の年度）').fill('2023');
    await admin.getByRole('button', { name: '開始する' }).click();
    assert.match(admin.url(), /\/rounds\/2023/);

    const body = await newPage(browser, width);
    await signIn(body, server, ...BODY);
    await body.goto(`${base}/rounds/2023`);
    const statusForm = body.locator('#clause_status form');
    await statusForm.getByLabel(/^本文/).fill('伴走支援の窓口を新設し、導出相談を受け付けた');
    await statusForm.getByLabel(/関連する/).selectOption(`#${clause.id}`);
    await statusForm.getByRole('button', { name: '追加' }).click();
    const previous = body.locator(`#previous-${clause.id}`);
    assert.match(await previous.innerText(), /伴走支援の窓口を新設し/);
    assert.match(await previous.innerText(), new RegExp(`${behind.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: B → `), 'the indicator movement');
    await body.context().close();

    // The traceability view walks from the indicator to the clause.
    await admin.goto(`${base}/trace/${behind.id}`);
    const trace = await admin.locator('body').innerText();
    assert.match(trace, /伴走支援の専門人材を配置する/);
    assert.match(trace, /導出支援の強化/);
    assert.match(trace, /導出支援に重点的に配分する/);
    assert.doesNotMatch(trace, /エンジン/);
    await checkPage(admin, 'trace');
    await admin.context().close();
  });

  test(`a committee member rates an indicator and writes an opinion (${width} px)`, { timeout: 180_000 }, async () => {
    const server = servers[width];
    const base = server.base;
    const page = await newPage(browser, width);
    await signIn(page, server, ...COMMITTEE);
    await page.goto(`${base}/rounds/2023`);
    const round = await (await page.request.get(`${base}/api/v1/plans/medical-rd-2/rounds/2023`)).json();
    const indicator = round.indicators.find((i) => !i.management && i.proposal !== 'N');
    assert.ok(indicator);

    // N differs from the automatic judgement: without a reason it is refused, keeping what was typed.
    const row = page.locator(`#ind-${indicator.id}`);
    await row.locator('summary').click();
    await row.getByLabel(/^N 現時点で評価が困難/).check();
    await row.getByLabel('課題', { exact: true }).fill('指標の定義を見直す必要がある');
    await row.getByRole('button', { name: '評価を記録' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /理由を書いてください/);
    assert.doesNotMatch(await page.locator('body').innerText(), /--/);
    const refusedRow = page.locator(`#ind-${indicator.id}`);
    assert.ok(await refusedRow.getByLabel(/^N 現時点で評価が困難/).isChecked(), 'the rating chosen is kept');
    assert.equal(await refusedRow.getByLabel('課題', { exact: true }).inputValue(), '指標の定義を見直す必要がある');
    await checkPage(page, 'round-rating-refused');
    await page.locator('.error-summary a').first().click();
    await refusedRow.getByLabel('理由', { exact: true }).fill('報告の範囲が変わり、比べられない');
    await refusedRow.getByRole('button', { name: '評価を記録' }).click();
    assert.match(await page.locator(`#ind-${indicator.id} .notice`).innerText(), /を N（現時点で評価が困難）で記録しました/);

    const opinionForm = page.locator('#opinion form');
    await opinionForm.getByLabel(/^本文/).fill('導出支援の成果を次回に確認したい');
    await opinionForm.getByLabel(/関連する/).selectOption({ label: indicator.name });
    await opinionForm.getByRole('button', { name: '追加' }).click();
    assert.match(await page.locator('#opinion').innerText(), /導出支援の成果を次回に確認したい/);
    await checkPage(page, 'round-committee');
    await page.context().close();
  });

  test(`a viewer reads the closed round (${width} px)`, { timeout: 180_000 }, async () => {
    const server = servers[width];
    const base = server.base;
    const page = await newPage(browser, width);
    await signIn(page, server, ...VIEWER);
    await page.goto(`${base}/rounds`);
    await checkPage(page, `rounds-viewer`);
    await page.getByRole('link', { name: '令和4年度' }).click();
    assert.equal(await page.locator('#round-state').innerText(), '終了');
    assert.equal(await page.locator('form[action$="/ratings"]').count(), 0, 'nothing to edit');
    assert.equal(await page.locator('.rating-badge').filter({ hasText: 'B' }).count() > 0, true);
    await checkPage(page, 'round-viewer');
    const open = await page.request.get(`${base}/rounds/2023`);
    assert.equal(open.status(), 403, 'an open round is not for viewers');
    await page.context().close();
  });
}
