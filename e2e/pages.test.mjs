// Browser tests: the real `pdca serve` on a fresh SQLite database with the demo data set, driven in
// Debian's headless Chromium. Screenshots of the dashboard, a project page, an indicator page, the
// rounds and the upload pages (at 1366 px and 390 px) are written under target/screenshots/.
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

/** Adds an account with the CLI, as the secretariat would. */
function addUser(name, role, password, body) {
  const args = ['--db', database, 'user', 'add', name, '--role', role, '--password-stdin'];
  if (body) args.push('--body', body);
  execFileSync(binary, args, { input: `${password}\n` });
}

// Each test signs in with accounts of its own (the first with the one-time password of the
// `admin` the first start created), so none depends on another having run.
const SECRETARIAT = ['e2e-secretariat', 'secretariat-password-2026'];
const BODY = ['amed-staff', 'amed-password-2026'];

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  await startServer();
  addUser(SECRETARIAT[0], 'secretariat', SECRETARIAT[1]);
  addUser(BODY[0], 'body', BODY[1], 'amed');
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

// Issue 11: an upload with hundreds of wrong rows lists the first 200 and the total; an upload
// whose value was changed by someone else after the preview is not applied, and the page says
// who changed what. Screenshots at 1366 px and at 390 px (a phone). Works on p1-out-02, FY2024.
test('an upload lists at most 200 errors, and one overtaken after its preview is not applied', { timeout: 120_000 }, async () => {
  for (const [width, suffix] of [[1366, ''], [390, '-390']]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
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
    await other.getByRole('button', { name: '下書きとして保存' }).click();
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

/** The engine's cumulative for an indicator as of a year, read through the JSON API. */
async function cumulative(page, id, asOf) {
  const response = await page.request.get(`${base}/api/v1/evaluations?as_of=${asOf}`);
  assert.equal(response.status(), 200);
  const evaluation = await response.json();
  return evaluation.indicators.find((i) => i.id === id).cumulative;
}

// Works on FY2024; the round test below on FY2022 and FY2023.
test('a body enters, fixes and submits a value; a stale tab gets the conflict; the secretariat approves', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  const tab = await context.newPage();
  await signIn(tab, ...BODY);
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
  await signIn(admin, ...SECRETARIAT);
  const before = await cumulative(admin, 'p1-out-01', 2024);
  await admin.goto(`${base}/approval?fy=2024`);
  await admin.getByRole('button', { name: '表示中のすべてを承認' }).click();
  assert.equal(await cumulative(admin, 'p1-out-01', 2024), before + 5);
  await admin.goto(`${base}/indicators/p1-out-01?as_of=2024`);
  assert.match(await admin.locator('body').innerText(), /承認済み/);
  await admin.screenshot({ path: join(screenshots, 'indicator-after-approval.png'), fullPage: true });
  await admin.close();
});

test('a whole follow-up round: open, rate with a B, priority item, policy clause, close; the next round follows the clause up', async () => {
  const admin = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  await signIn(admin, ...SECRETARIAT);

  // Open the round of FY2022 from the list of rounds.
  await admin.goto(`${base}/rounds`);
  await admin.getByLabel('対象年度（実績の年度）').fill('2022');
  await admin.getByLabel(/報告期限/).fill('2023-04-30');
  await admin.getByRole('button', { name: '開始する' }).click();
  assert.match(admin.url(), /\/rounds\/2022/);
  assert.equal(await admin.locator('#round-state').innerText(), '実績収集中');
  await admin.getByRole('button', { name: '次の段階に進める' }).click();
  assert.match(await admin.locator('#round-state').innerText(), /第1回会合/);

  const api = `${base}/api/v1/plans/medical-rd-2/rounds/2022`;
  const round = await (await admin.request.get(api)).json();
  const behind = round.indicators.find((i) => !i.management && i.proposal === 'B');
  assert.ok(behind, 'the demo has an indicator the engine proposes B');

  // The B, with its issue and solution, through the page's form.
  const row = admin.locator(`#rating-${behind.id}`);
  await row.locator('select[name="rating"]').selectOption('B');
  await row.locator('textarea[name="issue"]').fill('企業への導出に向けた支援が不足している');
  await row.locator('textarea[name="solution"]').fill('伴走支援の専門人材を配置する');
  await row.getByRole('button', { name: '評価を記録' }).click();
  assert.equal(await admin.locator(`#rating-${behind.id} .committee-rating`).innerText(), 'B');

  // The other numeric indicators as proposed (each B with an issue and a solution), through the
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

  // A priority item about the lagging indicator, and a policy clause reflecting it.
  await admin.goto(`${base}/rounds/2022`);
  const priorityForm = admin.locator('#priority_item form');
  await priorityForm.getByLabel('表題').fill('導出支援の強化');
  await priorityForm.getByLabel('本文').fill('シーズの企業導出を加速する');
  await priorityForm.getByLabel(/対象・反映元/).fill(behind.id);
  await priorityForm.getByRole('button', { name: '追加' }).click();
  const afterPriority = await (await admin.request.get(api)).json();
  const priority = afterPriority.priority_items[0];
  assert.equal(priority.title, '導出支援の強化');
  const clauseForm = admin.locator('#policy_clause form');
  await clauseForm.getByLabel('表題').fill('第1項');
  await clauseForm.getByLabel('本文').fill('導出支援に重点的に配分する');
  await clauseForm.getByLabel('予算への反映').fill('創薬支援推進事業');
  await clauseForm.getByLabel(/対象・反映元/).fill(`#${priority.id} ${behind.id}`);
  await clauseForm.getByRole('button', { name: '追加' }).click();
  assert.match(await admin.locator('#policy_clause').innerText(), /導出支援に重点的に配分する/);

  await admin.getByRole('button', { name: '次の段階に進める' }).click();
  assert.match(await admin.locator('#round-state').innerText(), /第2回会合/);
  await admin.getByRole('button', { name: /フォローアップを終了する/ }).click();
  assert.equal(await admin.locator('#round-state').innerText(), '終了', await admin.locator('body').innerText());
  await admin.screenshot({ path: join(screenshots, 'round-closed.png'), fullPage: true });
  const closed = await (await admin.request.get(api)).json();
  const clause = closed.policy_clauses[0];

  // The next round: the body reports what it did about the clause.
  await admin.goto(`${base}/rounds`);
  await admin.getByLabel('対象年度（実績の年度）').fill('2023');
  await admin.getByRole('button', { name: '開始する' }).click();
  assert.match(admin.url(), /\/rounds\/2023/);

  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  const body = await context.newPage();
  await signIn(body, ...BODY);
  await body.goto(`${base}/rounds/2023`);
  const statusForm = body.locator('#clause_status form');
  await statusForm.getByLabel('本文').fill('伴走支援の窓口を新設し、導出相談を受け付けた');
  await statusForm.getByLabel(/対象・反映元/).fill(`#${clause.id}`);
  await statusForm.getByRole('button', { name: '追加' }).click();
  const previous = body.locator(`#previous-${clause.id}`);
  assert.match(await previous.innerText(), /伴走支援の窓口を新設し/);
  assert.match(await previous.innerText(), new RegExp(`${behind.id}: B → `), 'the indicator movement');
  await body.screenshot({ path: join(screenshots, 'round-next.png'), fullPage: true });
  await context.close();

  // The traceability view walks from the indicator to the clause.
  await admin.goto(`${base}/trace/${behind.id}`);
  const trace = await admin.locator('body').innerText();
  assert.match(trace, /伴走支援の専門人材を配置する/);
  assert.match(trace, /導出支援の強化/);
  assert.match(trace, /導出支援に重点的に配分する/);
  await admin.close();
});
