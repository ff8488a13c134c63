// Issue: share data between callbacks in the user's browser (dcc.Store).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, openPage, updateTimes, clearTimes } from './lib/harness.js';

const EXPENSIVE_MS = 3000;
const UUID = /computation ([0-9a-f-]{36})/;

async function summary(page) {
  return (await page.textContent('#summary')) || '';
}

async function waitSummary(page, pattern, timeout = 20000) {
  await page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('#summary')?.textContent || ''),
    pattern.source,
    { timeout },
  );
  return summary(page);
}

async function chooseFruit(page, fruit) {
  await page.click('#dropdown');
  await page.click(`.dash-dropdown-option:has-text("${fruit}")`);
}

describe('browser_session_share', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('browser_session_share', { env: { EXPENSIVE_MS: String(EXPENSIVE_MS) } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('computes once per fruit, converts units without recomputing, keeps users apart', async () => {
    const ctxA = await browser.newContext();
    const ctxB = await browser.newContext();
    const a = await openPage(ctxA, app.url);
    const first = await waitSummary(a.page, /^apples: 1000 readings, mean -?\d+\.\d °C, computation [0-9a-f-]{36}$/);
    const idA = first.match(UUID)[1];
    await a.page.waitForSelector('#graph .main-svg');
    assert.match(await a.page.textContent('#graph .gtitle'), /apples \(celsius\)/);
    assert.equal(await a.page.locator('#table tr').count(), 6, 'header and five readings');

    // Unit change: the cheap follow-on only.
    await clearTimes(a.page);
    await a.page.click('#unit label:has-text("fahrenheit")');
    const converted = await waitSummary(a.page, /°F/);
    const unitChange = await updateTimes(a.page);
    assert.equal(converted.match(UUID)[1], idA, 'the expensive step did not run again');
    assert.ok(unitChange.length >= 1 && Math.max(...unitChange) < EXPENSIVE_MS / 3, `unit change callbacks took ${unitChange} ms`);
    assert.match(await a.page.textContent('#graph .gtitle'), /apples \(fahrenheit\)/);
    assert.match(await a.page.textContent('#table'), /temperature \(°F\)/);

    // A second browser has its own data and its own computation.
    const b = await openPage(ctxB, app.url);
    const other = await waitSummary(b.page, /^apples: .* °C, computation/);
    assert.notEqual(other.match(UUID)[1], idA);

    // Fruit change in A re-runs the expensive step; B is unaffected.
    await chooseFruit(a.page, 'figs');
    const figs = await waitSummary(a.page, /^figs: 1000 readings, mean .* °F, computation/);
    assert.notEqual(figs.match(UUID)[1], idA);
    assert.match(await summary(b.page), /^apples: .* °C/);
    assert.deepEqual(a.problems, []);
    assert.deepEqual(b.problems, []);
    await ctxA.close();
    await ctxB.close();
  });
});

describe('dcc.Store storage types', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('store_persistence');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const text = (page, id) => page.textContent(`#${id}`);
  const waitText = (page, id, value) => page.waitForFunction(
    ([i, v]) => document.getElementById(i)?.textContent === v, [id, value], { timeout: 15000 },
  );

  it('memory forgets on reload; session and local keep; local is per browser, shared by tabs', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await waitText(page, 'show-local', 'local: empty');
    await page.fill('#text', 'kept');
    await page.click('#write');
    for (const kind of ['memory', 'session', 'local']) await waitText(page, `show-${kind}`, `${kind}: kept (1 clicks)`);
    await waitText(page, 'show-hidden', 'hidden: kept (1 clicks)');
    await waitText(page, 'local-timestamp', 'local modified: yes');

    await page.reload();
    await waitText(page, 'show-local', 'local: kept (1 clicks)');
    await waitText(page, 'show-session', 'session: kept (1 clicks)');
    await waitText(page, 'show-memory', 'memory: empty');

    // Another tab of the same browser: local is shared, session is not.
    const tab = await ctx.newPage();
    await tab.goto(app.url);
    await waitText(tab, 'show-local', 'local: kept (1 clicks)');
    await waitText(tab, 'show-session', 'session: empty');

    // Another browser (context) shares nothing.
    const other = await browser.newContext();
    const o = await openPage(other, app.url);
    await waitText(o.page, 'show-local', 'local: empty');

    // clear_data empties the local store.
    await page.click('#clear');
    await waitText(page, 'show-local', 'local: empty');
    assert.deepEqual(problems, []);
    assert.deepEqual(o.problems, []);
    await ctx.close();
    await other.close();
  });
});

describe('aggregations_upfront', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('aggregations_upfront', { env: { EXPENSIVE_MS: '500' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('three graphs each read their part of a small store of aggregates', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    for (const [id, title] of [['graph-month', 'by month'], ['graph-region', 'by region'], ['graph-product', 'by product']]) {
      await page.waitForSelector(`#${id} .gtitle:has-text("2025: sales ${title}")`, { timeout: 20000 });
    }
    assert.equal(await page.locator('#graph-month .point').count(), 12);
    assert.equal(await page.locator('#graph-region .point').count(), 4);
    assert.equal(await page.locator('#graph-product .point').count(), 3);
    await page.click('#year');
    await page.click('.dash-dropdown-option:has-text("2023")');
    await page.waitForSelector('#graph-product .gtitle:has-text("2023: sales by product")', { timeout: 20000 });
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
