// Third-party component libraries served by the app itself: the
// component_libraries example (features dbc, dag, dmc) in the real renderer.
// One page load per suite; every request of the page must stay on the
// app's origin, and the console must stay clean.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser } from './lib/harness.js';

let app;
let browser;

// A page that records console errors, failed requests, and requests that
// leave the app's origin.
async function openLibrariesPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  const outside = [];
  const requested = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!/^https?:/.test(url)) return;
    requested.push(url);
    if (!url.startsWith(`${app.url}/`)) outside.push(url);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('.map')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await page.goto(app.url);
  await page.waitForSelector('#go');
  return { context, page, problems, outside, requested };
}

function check({ problems, outside }) {
  assert.deepEqual(problems, [], 'no console errors and no failed requests');
  assert.deepEqual(outside, [], 'no request outside the app origin');
}

before(async () => {
  app = await startApp('component_libraries', { env: { DASH_CACHE_URL: 'memory://' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('component libraries', { timeout: 120000 }, () => {
  it('cl001_bootstrap_button_styled_by_the_served_theme_counts_clicks', async () => {
    const s = await openLibrariesPage();
    const { page } = s;
    const href = await page.getAttribute('link[rel="stylesheet"]', 'href');
    assert.match(href, /^\/_dash-component-suites\/bootstrap\/dist\/css\/bootstrap\.v5_3_8m[0-9a-f]+\.min\.css$/);
    const css = await fetch(`${app.url}${href}`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    await page.waitForSelector('#alert:has-text("Clicked 0 times")');
    // Bootstrap's .btn-primary (#0d6efd) and .alert-info, from the local theme.
    const look = await page.evaluate(() => {
      const b = getComputedStyle(document.getElementById('go'));
      const a = getComputedStyle(document.getElementById('alert'));
      return { bg: b.backgroundColor, color: b.color, radius: b.borderRadius, alertBg: a.backgroundColor };
    });
    assert.equal(look.bg, 'rgb(13, 110, 253)');
    assert.equal(look.color, 'rgb(255, 255, 255)');
    assert.equal(look.radius, '6px');
    assert.equal(look.alertBg, 'rgb(207, 244, 252)');
    assert.match(await page.getAttribute('#go', 'class'), /\bbtn\b.*\bbtn-primary\b/);
    for (let i = 0; i < 3; i++) await page.click('#go');
    await page.waitForSelector('#alert:has-text("Clicked 3 times")');
    check(s);
    await s.context.close();
  });

  it('cl002_ag_grid_shows_rows_sorts_and_reports_the_selection', async () => {
    const s = await openLibrariesPage();
    const { page } = s;
    const cell = (row, col) => `#grid .ag-center-cols-container .ag-row[row-index="${row}"] [col-id="${col}"]`;
    await page.waitForSelector(cell(0, 'make'));
    assert.equal(await page.textContent(cell(0, 'make')), 'Toyota');
    assert.equal(await page.textContent(cell(2, 'model')), 'Boxster');
    assert.ok(await page.locator('#grid .ag-center-cols-container .ag-row').count() >= 5, 'rows are shown');
    await page.waitForSelector('#selection:has-text("Selected: none")');
    // The grid loads its community chunk from the app, unfingerprinted.
    assert.ok(
      s.requested.some((u) => u === `${app.url}/_dash-component-suites/dash_ag_grid/async-community.js`),
      'the async chunk is served by the app',
    );

    // A row selection reaches the callback.
    await page.click(cell(2, 'model'));
    await page.waitForSelector('#selection:has-text("Selected: Porsche Boxster")');

    // A click on a header sorts: ascending, then descending.
    await page.click('#grid .ag-header-cell[col-id="price"] .ag-header-cell-text');
    await page.waitForFunction(() => document.querySelector('#grid .ag-header-cell[col-id="price"]')
      ?.getAttribute('aria-sort') === 'ascending');
    const firstPrice = async () => Number(await page.textContent(cell(0, 'price')));
    assert.equal(await firstPrice(), 15000);
    await page.click('#grid .ag-header-cell[col-id="price"] .ag-header-cell-text');
    await page.waitForFunction(() => document.querySelector('#grid .ag-header-cell[col-id="price"]')
      ?.getAttribute('aria-sort') === 'descending');
    assert.ok(await firstPrice() > 74000, 'the most expensive car first');
    await page.click('#grid .ag-header-cell[col-id="make"] .ag-header-cell-text');
    await page.waitForFunction(() => document.querySelector('#grid .ag-header-cell[col-id="make"]')
      ?.getAttribute('aria-sort') === 'ascending');
    assert.equal(await page.textContent(cell(0, 'make')), 'Fiat');
    await page.click(cell(0, 'model'));
    const fiat = await page.textContent(cell(0, 'model'));
    await page.waitForSelector(`#selection:has-text("Selected: Fiat ${fiat}")`);
    check(s);
    await s.context.close();
  });

  it('cl003_mantine_slider_updates_the_text', async () => {
    const s = await openLibrariesPage();
    const { page } = s;
    await page.waitForSelector('#slider-out:has-text("Value: 50")');
    // Mantine's styles come with its bundle: the thumb is styled.
    const thumb = page.locator('#slider .mantine-Slider-thumb');
    const radius = await thumb.evaluate((t) => getComputedStyle(t).borderRadius);
    assert.notEqual(radius, '0px');
    await thumb.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#slider-out:has-text("Value: 52")');
    // A click on the track at three quarters.
    const track = await page.locator('#slider .mantine-Slider-track').boundingBox();
    await page.mouse.click(track.x + track.width * 0.75, track.y + track.height / 2);
    await page.waitForFunction(() => {
      const m = /^Value: (\d+)$/.exec(document.getElementById('slider-out')?.textContent || '');
      return m && Math.abs(Number(m[1]) - 75) <= 2;
    });
    check(s);
    await s.context.close();
  });
});
