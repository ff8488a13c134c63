// Components inside props other than `children`: the component_props
// example (features dbc, dmc). The renderer renders them only when the
// page's children_props names the prop, as Python Dash's does.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser } from './lib/harness.js';

let app;
let browser;

before(async () => {
  app = await startApp('component_props', { env: { DASH_CACHE_URL: 'memory://' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

describe('component-valued props of the suites', { timeout: 60000 }, () => {
  it('cp001_left_section_and_accordion_title_render_and_update', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(app.url);
    // Mantine's leftSection: the span is a real element inside the button's section.
    await page.waitForSelector('#add .mantine-Button-section #add-icon:has-text("+")');
    // Bootstrap's AccordionItem title: a <b> inside the accordion's header button.
    await page.waitForSelector('#accordion .accordion-button b#item-title:has-text("Bold title")');
    // A callback writes a new component into leftSection.
    await page.click('#add');
    await page.waitForSelector('#add .mantine-Button-section #add-icon:has-text("1")');
    await page.click('#add');
    await page.waitForSelector('#add .mantine-Button-section #add-icon:has-text("2")');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
