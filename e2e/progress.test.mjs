// The reading pages (issue 12, items 6 and 8): the dashboard, a project page and an indicator
// page, as a viewer and as the secretariat, at 1366 and 390 px, each held to the floor by
// checkPage (axe-core, no sideways scrolling at 320 px, screenshots). The indicator page lists
// its sub-targets and gives its chart's data as a table; the chart's labels stay readable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, launchBrowser, newPage, signIn, checkPage } from './harness.mjs';

const USERS = {
  viewer: ['progress-viewer', 'progress-viewer-password-2026'],
  secretariat: ['progress-secretariat', 'progress-secretariat-password-2026'],
};
let server, browser;

before(async () => {
  server = await startServer();
  for (const [role, [name, password]] of Object.entries(USERS)) addUser(server, name, role, password);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** The rendered height in CSS px of the chart's axis labels. */
async function axisLabelHeights(page) {
  return page.locator('figure.chart svg text.axis-label').evaluateAll((texts) =>
    texts.map((t) => t.getBoundingClientRect().height));
}

for (const role of Object.keys(USERS)) {
  for (const width of [1366, 390]) {
    test(`the reading pages as the ${role} at ${width} px`, { timeout: 180_000 }, async () => {
      const page = await newPage(browser, width);
      await signIn(page, server, ...USERS[role]);

      await page.goto(`${server.base}/`);
      const body = await page.locator('main').textContent();
      assert.doesNotMatch(body, /エンジン|達成確率/);
      await checkPage(page, `progress-${role}-dashboard`);

      await page.goto(`${server.base}/projects/p3`);
      assert.ok(await page.locator('a[href="/help/terms#expected"]').count() > 0, '期待値 explained');
      assert.ok(await page.locator('a[href="/help/terms#pace"]').count() > 0, 'ペース explained');
      await checkPage(page, `progress-${role}-project`);

      await page.goto(`${server.base}/indicators/p3-out-01`);
      assert.equal(await page.locator('#sub-targets-heading').count(), 1, 'the sub-targets are listed');
      assert.ok(await page.locator('table.sub-targets a[href^="/indicators/p3-out-01-1"]').count() === 1);
      await checkPage(page, `progress-${role}-indicator-sub-targets`);
      await page.goto(`${server.base}/indicators/p1-out-01`);
      const chart = page.locator('figure.chart svg[role="img"]');
      if (await chart.count()) {
        const name = await page.locator('#chart-title').textContent();
        assert.match(name, /単位/, 'the accessible name gives the unit');
        const heights = await axisLabelHeights(page);
        const least = Math.min(...heights);
        assert.ok(least >= (width >= 768 ? 14 : 12), `axis labels ${least.toFixed(1)} px high at ${width} px`);
        await page.locator('figure.chart').screenshot({ path: `../target/screenshots/progress-${role}-chart-${width}.png` });
        await page.locator('details.chart-data > summary').click();
        assert.ok(await page.locator('table.chart-table').isVisible(), 'the chart as a table');
      }
      await checkPage(page, `progress-${role}-indicator`);
      if (width < 768 && await chart.count()) {
        await page.setViewportSize({ width: 320, height: 900 });
        const least = Math.min(...(await axisLabelHeights(page)));
        assert.ok(least >= 11, `axis labels ${least.toFixed(1)} px high at 320 px`);
        await page.locator('figure.chart').screenshot({ path: `../target/screenshots/progress-${role}-chart-320.png` });
      }
      await page.context().close();
    });
  }
}
