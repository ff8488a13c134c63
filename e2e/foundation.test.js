// The foundation: the hello example driven in the real renderer, and
// callback errors in the dev-tools panel in debug mode.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, openPage } from './lib/harness.js';

describe('hello', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('hello');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads without errors, echoes input, redraws the graph, counts clicks', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#echo:has-text("You typed: type here")');

    await page.fill('#text', 'rust');
    await page.waitForSelector('#echo:has-text("You typed: rust")');

    await page.waitForSelector('#graph .main-svg');
    await page.waitForSelector('#graph .gtitle:has-text("London")');
    await page.click('#city');
    await page.click('.dash-dropdown-option:has-text("Oslo")');
    await page.waitForSelector('#graph .gtitle:has-text("Oslo")');
    assert.equal(await page.locator('#graph .scatterlayer .trace').count(), 1);

    for (let i = 0; i < 3; i++) await page.click('#button');
    await page.waitForSelector('#clicks:has-text("Button clicked 3 times")');
    assert.deepEqual(problems, [], 'no console errors and no failed requests');
    await ctx.close();
  });
});

describe('callback errors in debug mode', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('debug_errors', { env: { DASH_DEBUG: '1' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows a failing and a panicking callback in the dev-tools panel; the server goes on', async () => {
    const ctx = await browser.newContext();
    const { page } = await openPage(ctx, app.url);
    await page.waitForSelector('#boom');
    await page.click('#boom');
    await page.waitForSelector('.test-devtools-error-count:has-text("1")');
    await page.waitForSelector('.dash-fe-error__title:has-text("Callback error updating boom-out.children")');
    // Expanding the error shows the server's message.
    await page.click('.test-devtools-error-toggle:has-text("boom-out")');
    await page.waitForSelector('.dash-backend-error:has-text("boom: intentional failure")');
    assert.match(await page.textContent('.dash-backend-error'), /Callback error in boom-out\.children/);
    await page.click('#panic');
    await page.waitForSelector('.test-devtools-error-count:has-text("2")');
    await page.waitForSelector('.dash-fe-error__title:has-text("Callback error updating panic-out.children")');
    const shown = () => page.evaluate(() => [...document.querySelectorAll('.dash-backend-error')]
      .some((e) => e.textContent.includes('panic: intentional panic after 1 clicks')));
    for (let i = 0; i < 4 && !(await shown()); i++) {
      await page.click('.test-devtools-error-toggle:has-text("panic-out")');
      await page.waitForTimeout(300);
    }
    assert.ok(await shown(), 'the panic message is shown');
    assert.equal(await page.textContent('#boom-out'), 'not clicked', 'failed outputs are not changed');
    // The server is still up.
    const r = await fetch(`${app.url}/_dash-layout`);
    assert.equal(r.status, 200);
    await ctx.close();
  });
});
