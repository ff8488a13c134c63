// The multi_page example (pages) in the real renderer under --workers 2:
// navigation without a reload, path templates, query strings, the 404 page
// and its status, the served HTML's title and meta tags, a page's callback,
// browser back and forward, and the document title.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, openPage, tmpCacheUrl } from './lib/harness.js';

describe('multi_page', { timeout: 180000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('multi_page', {
      args: ['--workers', '2'],
      env: { DASH_CACHE_URL: tmpCacheUrl('multi-page') },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const title = (page, text) => page.waitForSelector(`#title:text-is("${text}")`);
  const docTitle = (page, text) => page.waitForFunction((t) => document.title === t, text);

  it('navigates between pages without a reload; back and forward; titles; the city callback', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, `${app.url}/`);
    await title(page, 'Home');
    await docTitle(page, 'Home');
    const links = await page.$$eval('#nav a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(links, [['Home', '/'], ['Analytics', '/analytics'], ['Report', '/report/none']]);
    await page.evaluate(() => { window.__marker = 'kept'; });

    await page.click('#nav a:text-is("Analytics")');
    await title(page, 'Analytics');
    await page.waitForSelector('#city-out:text-is("Selected: Paris")');
    await docTitle(page, 'Analytics');
    assert.equal(new URL(page.url()).pathname, '/analytics');
    await page.click('#city');
    await page.click('.dash-dropdown-option:has-text("Tokyo")');
    await page.waitForSelector('#city-out:text-is("Selected: Tokyo")');

    await page.click('#nav a:text-is("Report")');
    await title(page, 'Report none');
    await docTitle(page, 'Report none');

    // dcc.Location / dcc.Link navigation as the renderer does it.
    await page.evaluate(() => {
      window.history.pushState({}, '', '/report/q-1?tab=a');
      window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    });
    await title(page, 'Report q-1');
    await docTitle(page, 'Report q-1');

    await page.goBack();
    await title(page, 'Report none');
    await page.goBack();
    await title(page, 'Analytics');
    await page.waitForSelector('#city-out:text-is("Selected: Paris")');
    await docTitle(page, 'Analytics');
    await page.goForward();
    await title(page, 'Report none');
    await docTitle(page, 'Report none');

    await page.evaluate(() => {
      window.history.pushState({}, '', '/no/such/page');
      window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    });
    await title(page, 'Page not found: /no/such/page');

    assert.equal(await page.evaluate(() => window.__marker), 'kept', 'no reload happened');
    assert.deepEqual(problems, [], 'no console errors and no failed requests');
    await ctx.close();
  });

  it('direct loads: path templates, query strings, the 404 page and status', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let r = await page.goto(`${app.url}/report/42?tab=summary`);
    assert.equal(r.status(), 200);
    await title(page, 'Report 42');
    await docTitle(page, 'Report 42');

    r = await page.goto(`${app.url}/analytics?city=Lima`);
    assert.equal(r.status(), 200);
    await page.waitForSelector('#city-out:text-is("Selected: Paris")');
    await docTitle(page, 'Analytics');

    r = await page.goto(`${app.url}/missing`);
    assert.equal(r.status(), 404);
    await title(page, 'Page not found: /missing');
    await page.click('#nav a:text-is("Home")');
    await title(page, 'Home');
    await docTitle(page, 'Home');
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('serves each page\'s title and meta tags in the HTML of a direct load, escaped', async () => {
    const html = async (path) => {
      const r = await fetch(`${app.url}${path}`);
      return { status: r.status, text: await r.text() };
    };
    const home = await html('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /<title>Home<\/title>/);
    assert.match(home.text, /<meta name="description" content="The home page">/);
    assert.match(home.text, /<meta property="og:title" content="Home">/);

    const analytics = await html('/analytics');
    assert.match(analytics.text, /<title>Analytics<\/title>/);
    assert.match(analytics.text, /<meta property="og:description" content="Figures per city">/);
    assert.match(analytics.text, /<meta property="twitter:card" content="summary_large_image">/);
    assert.ok(analytics.text.includes(`<meta property="og:url" content="${app.url}/analytics">`));

    const evil = await html('/report/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(evil.status, 200);
    assert.ok(evil.text.includes('<title>Report &lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    assert.ok(!evil.text.includes('<script>alert(1)'));

    const missing = await html('/nothing/here');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /react-entry-point/);
  });
});

describe('multi_page in debug mode', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('multi_page', { env: { DASH_DEBUG: '1', DASH_CACHE_URL: 'memory://' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the renderer accepts callbacks on every page (the validation layout) and shows no error', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, `${app.url}/`);
    await page.waitForSelector('.dash-debug-menu__outer');
    await page.waitForSelector('#title:text-is("Home")');
    await page.click('#nav a:text-is("Analytics")');
    await page.waitForSelector('#city-out:text-is("Selected: Paris")');
    await page.click('#nav a:text-is("Report")');
    await page.waitForSelector('#title:text-is("Report none")');
    // Any callback or validation error would show a count in the dev tools.
    await page.waitForTimeout(500);
    assert.equal(await page.locator('.test-devtools-error-count').count(), 0);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
