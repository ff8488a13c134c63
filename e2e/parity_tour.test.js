// Python Dash's download and upload integration tests (plotly/dash
// components/dash-core-components/tests/integration/download and upload),
// ported against the parity_tour example: same ids of the tests, same
// assertions (the file saved by the browser has the content sent; no
// browser errors).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, launchBrowser, openPage } from './lib/harness.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-tour-'));
// A binary file with every byte value, for the file download.
const binary = path.join(dir, 'every-byte.bin');
fs.writeFileSync(binary, Buffer.from([...Array(4096).keys()].map((i) => (i * 7) % 256)));

async function download(page, button) {
  const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click(button)]);
  return { name: saved.suggestedFilename(), bytes: fs.readFileSync(await saved.path()) };
}

const storeOf = async (page, sel) => JSON.parse(await page.textContent(sel));
async function until(page, check, what, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await check(); if (last === true) return; } catch (e) { last = e.message; }
    if (Date.now() > end) throw new Error(`${what}: ${JSON.stringify(last)}`);
    await page.waitForTimeout(50);
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

describe('parity_tour: Patch (plotly/dash tests/integration/test_patch.py)', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('pch001_patch_operations', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    const out = () => storeOf(page, '#store-content');
    await until(page, async () => (await out()).value === 'unset', 'initial store');
    const step = async (input, text, button) => {
      if (input) await page.fill(input, text);
      await page.click(button);
    };
    await step('#set-value', 'Set Value', '#set-btn');
    await until(page, async () => (await out()).value === 'Set Value', 'set');
    await step('#append-value', 'Append', '#append-btn');
    await until(page, async () => same((await out()).array, ['initial', 'Append']), 'append');
    await step('#prepend-value', 'Prepend', '#prepend-btn');
    await until(page, async () => same((await out()).array, ['Prepend', 'initial', 'Append']), 'prepend');
    await step('#extend-value', 'Extend', '#extend-btn');
    await until(page, async () => same((await out()).array, ['Prepend', 'initial', 'Append', 'Extend']), 'extend');
    assert.equal((await out()).merged, undefined);
    await step('#merge-value', 'Merged', '#merge-btn');
    await until(page, async () => (await out()).merged === 'Merged', 'merge');
    assert.equal((await out()).delete, 'Delete me');
    await step(null, null, '#delete-btn');
    await until(page, async () => (await out()).delete === undefined, 'delete');
    await step('#insert-value', 'Inserted', '#insert-btn');
    await until(page, async () => same((await out()).array, ['Prepend', 'Inserted', 'initial', 'Append', 'Extend']), 'insert');
    await page.fill('#insert-value', 'Inserted with negative index');
    await page.fill('#insert-index', '-1');
    await page.click('#insert-btn');
    await until(page, async () => same((await out()).array, ['Prepend', 'Inserted', 'initial', 'Append', 'Inserted with negative index', 'Extend']), 'insert at -1');
    await step(null, null, '#delete-index');
    await until(page, async () => same((await out()).array, ['Prepend', 'initial', 'Append', 'Extend']), 'delete index');
    await step(null, null, '#reverse-btn');
    await until(page, async () => same((await out()).array, ['Extend', 'Append', 'initial', 'Prepend']), 'reverse');
    await step(null, null, '#remove-btn');
    await until(page, async () => same((await out()).array, ['Extend', 'Append', 'Prepend']), 'remove');
    await step(null, null, '#clear-btn');
    await until(page, async () => same((await out()).array, []), 'clear');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('pch002_patch_app_pmc_callbacks', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('.first:has-text("Foo")');
    await page.click('#click');
    await until(page, async () => (await page.textContent('.first')) === 'FooBar' && (await page.textContent('.second')) === 'FooBar', 'both FooBar');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('pch003_patch_children', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.fill('#children-value', 'new-child');
    await page.click('#add-children');
    await page.waitForSelector('#new-child:has-text("new-child")');
    assert.equal(await page.textContent('#initial'), 'init');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('pch006_base_operators', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    const shows = (sel, text) => until(page, async () => (await page.textContent(sel)) === text, `${sel} shows ${text}`);
    await shows('#store-output', '2');
    await page.click('#add-one');
    await shows('#store-output', '3');
    await page.click('#remove-one');
    await shows('#store-output', '2');
    await page.click('#mul-two');
    await shows('#store-output', '4');
    await page.click('#div-two');
    await shows('#store-output', '2');
    await page.click('#merge');
    await shows('#dict-store-output', '{"initial":"initial","merged":"merged"}');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});

describe('parity_tour: the page template (plotly/dash tests/integration/test_integration.py)', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('inin008_index_customization', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    assert.equal(await page.textContent('#custom-header'), 'My custom header');
    assert.equal(await page.textContent('#custom-footer'), 'My custom footer');
    await page.waitForSelector('#add:has-text("Got added")');
    await page.waitForSelector('#output-1:has-text("initial value")');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('inin014_with_custom_renderer', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#output-1:has-text("initial value")');
    await page.fill('#input', 'fire request hooks');
    await page.waitForSelector('#output-1:has-text("fire request hooks")');
    assert.equal(await page.textContent('#output-pre'), 'request_pre!!!');
    assert.equal(await page.textContent('#output-post'), 'request_post ran!');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});

describe('parity_tour: callback options', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('cbsc015_input_output_callback', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // Count the follower's calls, as the Python test does on the server:
    // listening before the page loads.
    let followerCalls = 0;
    page.on('request', (r) => {
      if (r.url().includes('_dash-update-component') && (r.postData() || '').includes('"output":"circular-text.children"')) followerCalls++;
    });
    await page.goto(app.url);
    await page.waitForSelector('#circular-text:has-text("0")');
    await page.click('#circular-input');
    await page.keyboard.press('End');
    await page.keyboard.type('2');
    await page.waitForSelector('#circular-text:has-text("3")');
    assert.equal(await page.inputValue('#circular-input'), '3');
    assert.equal(followerCalls, 2, 'initial + changed once');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('cber001_error_handler', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.click('#start-local');
    await page.waitForSelector('#error-output:has-text("callback: local error")');
    await page.waitForSelector('#error-message:has-text("message: local error")');
    await page.click('#start-global');
    await page.waitForSelector('#error-output-global:has-text("global: global error")');
    assert.deepEqual(problems, [], 'handled failures answer 200');
    await ctx.close();
  });

  it('initial_duplicate runs a duplicate output on page load', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#dup-output:has-text("written on page load")');
    await page.click('#dup-btn');
    await page.waitForSelector('#dup-output:has-text("written by click 1")');
    const deps = await (await fetch(`${app.url}/_dash-dependencies`)).json();
    const dup = deps.filter((d) => d.output.startsWith('dup-output.children@'));
    assert.equal(dup.length, 2);
    assert.deepEqual(dup.map((d) => d.prevent_initial_call).sort(), [false, true]);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});

describe('parity_tour: hot reload (plotly/dash tests/integration/devtools/test_hot_reload.py)', { timeout: 120000 }, () => {
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-hr-'));
  const css = path.join(assets, 'hot_reload.css');
  const js = path.join(assets, 'hot_reload.js');
  const BLUE = '#hot-reload-content {\n    background-color: blue;\n}\n';
  const RED = '#hot-reload-content {\n    background-color: red;\n}\n';
  let app;
  let browser;
  before(async () => {
    fs.writeFileSync(css, BLUE);
    fs.writeFileSync(js, "window.cheese = 'roquefort';\n");
    app = await startApp('parity_tour', {
      env: {
        TOUR_ASSETS: assets, DASH_HOT_RELOAD: '1', DASH_UI: '1', DASH_SERVE_DEV_BUNDLES: '1',
        DASH_HOT_RELOAD_INTERVAL: '0.1', DASH_HOT_RELOAD_MAX_RETRY: '100',
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(assets, { recursive: true, force: true });
  });
  // A new modification time (the file system's clock may be coarse).
  const replace = async (file, content) => {
    await new Promise((r) => setTimeout(r, 1100));
    fs.writeFileSync(file, content);
  };
  const background = (page) => page.evaluate(() => getComputedStyle(document.getElementById('hot-reload-content')).backgroundColor);

  it('dvhr001_hot_reload', async () => {
    const ctx = await browser.newContext();
    const { page } = await openPage(ctx, app.url);
    await until(page, async () => (await background(page)) === 'rgb(0, 0, 255)', 'blue at first');
    await page.evaluate(() => { window.someVar = 42; });
    await replace(css, RED);
    await until(page, async () => (await background(page)) === 'rgb(255, 0, 0)', 'red, swapped in place');
    await replace(css, BLUE);
    await until(page, async () => (await background(page)) === 'rgb(0, 0, 255)', 'blue again');
    assert.equal(await page.evaluate(() => window.someVar), 42, 'only the stylesheet changed: no reload');
    assert.equal(await page.evaluate(() => window.cheese), 'roquefort');
    await replace(js, "window.cheese = 'gouda';\n");
    await until(page, async () => (await page.evaluate(() => window.cheese)) === 'gouda', 'a script change reloads the page');
    await replace(js, "window.cheese = 'roquefort';\n");
    await until(page, async () => (await page.evaluate(() => window.cheese)) === 'roquefort', 'and again');
    assert.equal(await page.evaluate(() => window.someVar), undefined, 'a hard reload forgot someVar');
    await ctx.close();
  });
});

describe('parity_tour: clientside callbacks (plotly/dash tests/integration/clientside/test_clientside.py)', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });
  const value = (page, sel) => page.evaluate((s) => {
    const el = document.querySelector(s);
    return el && ('value' in el && el.tagName !== 'DIV' ? el.value : el.textContent);
  }, sel);
  const expect = async (page, cases) => {
    for (const [sel, want] of cases) await until(page, async () => (await value(page, sel)) === want, `${sel} = ${want}`);
  };
  const type = async (page, sel, text) => {
    await page.click(sel);
    await page.keyboard.press('End');
    await page.keyboard.type(text);
  };
  // Callback requests the page made for one output (the clientside ones make none).
  const calls = (page, output) => {
    const seen = { n: 0 };
    page.on('request', (r) => {
      if (r.url().includes('_dash-update-component') && (r.postData() || '').includes(`"output":"${output}"`)) seen.n++;
    });
    return seen;
  };

  it('clsd001_simple_clientside_serverside_callback and clsd008_clientside_inline_source', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await expect(page, [['#cs-output-serverside', 'Server says "None"'], ['#cs-output-clientside', 'Client says "undefined"'], ['#cs-output-inline', 'Client says "undefined"']]);
    await type(page, '#cs-input', 'hello world');
    await expect(page, [['#cs-output-serverside', 'Server says "hello world"'], ['#cs-output-clientside', 'Client says "hello world"'], ['#cs-output-inline', 'Client says "hello world"']]);
    assert.ok(await page.evaluate(() => 'dash_clientside' in window));
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('clsd002_chained_serverside_clientside_callbacks', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const divide = calls(page, 'cs-x-plus-y-div-2.value');
    const display = calls(page, 'cs-display-all-of-the-values.value');
    await page.goto(app.url);
    await expect(page, [['#cs-x', '3'], ['#cs-y', '6'], ['#cs-x-plus-y', '9'], ['#cs-x-plus-y-div-2', '4.5'],
      ['#cs-display-all-of-the-values', '3\n6\n9\n4.5'], ['#cs-mean-of-all-values', String((3 + 6 + 9 + 4.5) / 4)]]);
    assert.equal(display.n, 1);
    assert.equal(divide.n, 1);
    await type(page, '#cs-x', '1');
    await expect(page, [['#cs-x', '31'], ['#cs-y', '6'], ['#cs-x-plus-y', '37'], ['#cs-x-plus-y-div-2', '18.5'],
      ['#cs-display-all-of-the-values', '31\n6\n37\n18.5'], ['#cs-mean-of-all-values', String((31 + 6 + 37 + 18.5) / 4)]]);
    assert.equal(display.n, 2);
    assert.equal(divide.n, 2);
    await ctx.close();
  });

  it('clsd004_clientside_multiple_outputs', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await expect(page, [['#cs-four-input', '1'], ['#cs-output-1', '2'], ['#cs-output-2', '3'], ['#cs-output-3', '4'], ['#cs-output-4', '5']]);
    await type(page, '#cs-four-input', '1');
    await expect(page, [['#cs-four-input', '11'], ['#cs-output-1', '12'], ['#cs-output-2', '13'], ['#cs-output-3', '14'], ['#cs-output-4', '15']]);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('clsd006_PreventUpdate and clsd007_no_update', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await expect(page, [['#cs-first', '1'], ['#cs-second', '2'], ['#cs-third', '2'], ['#cs-nu-first', '1'], ['#cs-nu-second', '2'], ['#cs-nu-third', '2']]);
    await type(page, '#cs-first', '1');
    await type(page, '#cs-nu-first', '1');
    await expect(page, [['#cs-first', '11'], ['#cs-second', '2'], ['#cs-third', '2'], ['#cs-nu-first', '11'], ['#cs-nu-second', '2'], ['#cs-nu-third', '3']]);
    await type(page, '#cs-first', '1');
    await type(page, '#cs-nu-first', '1');
    await expect(page, [['#cs-first', '111'], ['#cs-second', '3'], ['#cs-third', '3'], ['#cs-nu-first', '111'], ['#cs-nu-second', '3'], ['#cs-nu-third', '4']]);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('clsd009_clientside_callback_context_triggered', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#cs-triggered', { state: 'attached' });
    await expect(page, [['#cs-triggered', '']]);
    await page.click('#cs-btn0');
    await expect(page, [['#cs-triggered', 'cs-btn0.n_clicks = 1']]);
    await page.click('button:has-text("btn1:0")');
    await page.click('button:has-text("btn1:0")');
    await expect(page, [['#cs-triggered', '{"cs-btn1":0}.n_clicks = 2']]);
    await page.click('button:has-text("btn1:2")');
    await expect(page, [['#cs-triggered', '{"cs-btn1":2}.n_clicks = 1']]);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});

describe('parity_tour: downloads and uploads', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour', { env: { TOUR_FILE: binary } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('dltx001_download_text', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#dl-text');
    const file = await download(page, '#dl-text');
    assert.equal(file.name, 'hello.txt');
    assert.equal(file.bytes.toString('utf8'), 'Hello, world!');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('dlfi001_download_file', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#dl-file');
    const file = await download(page, '#dl-file');
    assert.equal(file.name, 'every-byte.bin');
    assert.ok(file.bytes.equals(fs.readFileSync(binary)), 'the same bytes as the original');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('dldf001_download_dataframe (csv)', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#dl-csv');
    const file = await download(page, '#dl-csv');
    assert.equal(file.name, 'df.csv');
    // pandas' df.to_csv(index=False) of the same frame.
    assert.equal(file.bytes.toString('utf8'), 'a,b,c\n1,2,x\n2,1,x\n3,5,y\n4,6,y\n');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  for (const [ext, content] of [['csv', 'city,country\nParis,France\nOslo,Norway\n'], ['svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>']]) {
    it(`upft001_test_upload_with_different_file_types (${ext})`, async () => {
      const file = path.join(dir, `upft001.${ext}`);
      fs.writeFileSync(file, content);
      const ctx = await browser.newContext();
      const { page, problems } = await openPage(ctx, app.url);
      await page.setInputFiles('#upload-div input[type=file]', file);
      await page.waitForSelector('#raw-title:has-text("Raw Content")');
      const summary = await page.textContent('#upload-summary');
      assert.match(summary, new RegExp(`^upft001\\.${ext}: ${Buffer.byteLength(content)} bytes of `));
      assert.equal(await page.textContent('#upload-output pre'), content);
      assert.deepEqual(problems, []);
      await ctx.close();
    });
  }
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('parity_tour: the callback context (plotly/dash tests/integration/callbacks/test_callback_context.py)', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await startApp('parity_tour');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });
  const text = (page, sel, want) => page.waitForFunction(
    ([s, w]) => document.querySelector(s)?.textContent === w, [sel, want], { timeout: 10000 },
  ).catch(async () => { throw new Error(`${sel}: ${JSON.stringify(await page.textContent(sel))}, not ${JSON.stringify(want)}`); });

  it('cbcx001_modified_response', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await text(page, '#cbcx-output', 'ab - output');
    await page.click('#cbcx-input');
    await page.keyboard.press('End');
    await page.keyboard.type('cd');
    await text(page, '#cbcx-output', 'abcd - output');
    const cookie = (await ctx.cookies()).find((c) => c.name === 'dash_cookie');
    // Python's Werkzeug quotes a value with spaces ('"abcd - cookie"'); the
    // cookie crate writes it as it is.
    assert.equal(cookie?.value, 'abcd - cookie');
    // The request behind the call: its path and the peer's address.
    await text(page, '#cbcx-request', 'path /_dash-update-component from 127.0.0.1');
    // The same callback as a JSON route (api_endpoint).
    const viaApi = await page.evaluate(async () => {
      const r = await fetch('/api/request', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"cbcx-input": "x"}' });
      return [r.status, await r.json()];
    });
    assert.deepEqual(viaApi, [200, 'path /api/request from 127.0.0.1']);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('cbcx002_triggered and cbcx007_triggered_id', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.waitForSelector('#btn-5');
    for (let i = 1; i < 5; i += 1) {
      for (const btn of ['btn-1', 'btn-2', 'btn-3', 'btn-4', 'btn-5']) {
        await page.click(`#${btn}`);
        await text(page, '#cbcx-clicked', `Just clicked ${btn} for the ${i} time!`);
        await text(page, '#cbcx-triggered-id', `Just clicked ${btn}`);
      }
    }
    // args_grouping: every input with its value, the triggered one starred.
    await text(page, '#cbcx-grouping', '5 inputs: btn-1=4 btn-2=4 btn-3=4 btn-4=4 btn-5=4*');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it('cbcx008_triggered_id_pmc', async () => {
    const ctx = await browser.newContext();
    const { page, problems } = await openPage(ctx, app.url);
    await page.click('#\\{\\"index\\"\\:\\"myindex\\"\\,\\"type\\"\\:\\"btn\\"\\}');
    await text(page, '#cbcx-pmc-output', 'myindex');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
