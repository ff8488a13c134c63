// Issue: server-side stores. server_store_share (browser_session_share with its
// dataset in a ServerStore) with two users and two worker processes, on the
// SQLite default and on Redis: it behaves as browser_session_share does, and
// the unit change sends a reference under 1 KB, not the dataset.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, startRedis, launchBrowser, openPage, tmpCacheUrl, childPids, updateTimes, clearTimes } from './lib/harness.js';

const EXPENSIVE_MS = 2000;
const READINGS = 100000;
const UUID = /computation ([0-9a-f-]{36})/;

async function summary(page) {
  return (await page.textContent('#summary')) || '';
}

async function waitSummary(page, pattern, timeout = 30000) {
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

// The bodies of the page's callback requests, from now on.
function recordRequests(page) {
  const bodies = [];
  page.on('request', (r) => {
    if (r.url().includes('_dash-update-component')) bodies.push(r.postData() || '');
  });
  return bodies;
}

for (const backend of ['sqlite', 'redis']) {
  describe(`server_store_share, 2 workers, ${backend}`, { timeout: 180000 }, () => {
    let redis;
    let app;
    let browser;
    before(async () => {
      let url = tmpCacheUrl(`sstore-${backend}`);
      if (backend === 'redis') {
        redis = await startRedis();
        url = redis.url;
      }
      app = await startApp('server_store_share', {
        env: { EXPENSIVE_MS: String(EXPENSIVE_MS), READINGS: String(READINGS), DASH_CACHE_URL: url },
        args: ['--workers', '2'],
      });
      assert.equal(childPids(app.pid).length, 2, 'two worker processes');
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await app?.stop();
      await redis?.stop();
    });

    it('computes once per fruit, converts units from a small reference, keeps users apart', async () => {
      const ctxA = await browser.newContext();
      const ctxB = await browser.newContext();
      const a = await openPage(ctxA, app.url);
      const bodiesA = recordRequests(a.page);
      const first = await waitSummary(a.page, /^apples: 100000 readings, mean -?\d+\.\d °C, computation [0-9a-f-]{36}$/);
      const idA = first.match(UUID)[1];
      await a.page.waitForSelector('#graph .main-svg');
      assert.match(await a.page.textContent('#graph .gtitle'), /apples \(celsius\)/);
      assert.equal(await a.page.locator('#table tr').count(), 6, 'header and five readings');

      // Unit changes, several times (either worker answers each): the
      // expensive step does not run, and each request carries the reference.
      for (const [unit, symbol] of [['fahrenheit', '°F'], ['celsius', '°C'], ['fahrenheit', '°F']]) {
        bodiesA.length = 0;
        await clearTimes(a.page);
        await a.page.click(`#unit label:has-text("${unit}")`);
        const converted = await waitSummary(a.page, new RegExp(`^apples: .* ${symbol}, computation`));
        assert.equal(converted.match(UUID)[1], idA, 'the expensive step did not run again');
        const times = await updateTimes(a.page);
        assert.ok(times.length >= 1 && Math.max(...times) < EXPENSIVE_MS / 2, `unit change took ${times} ms`);
        assert.ok(bodiesA.length >= 1, 'the unit change sent a callback request');
        for (const body of bodiesA) {
          assert.ok(body.length < 1024, `the unit change request is ${body.length} bytes`);
          const store = JSON.parse(body).inputs.find((i) => i.id === 'intermediate-value');
          assert.match(store.value.ref, /^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
        }
      }
      assert.match(await a.page.textContent('#graph .gtitle'), /apples \(fahrenheit\)/);
      assert.match(await a.page.textContent('#table'), /temperature \(°F\)/);
      assert.equal(await a.page.locator('#graph .scatterlayer .trace').count(), 1);

      // A second browser has its own data and its own computation.
      const b = await openPage(ctxB, app.url);
      const other = await waitSummary(b.page, /^apples: 100000 readings, .* °C, computation/);
      assert.notEqual(other.match(UUID)[1], idA);

      // A's last request replayed with B's cookie is refused (403, naming the store).
      const cookie = (await ctxB.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const replay = await fetch(`${app.url}/_dash-update-component`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: bodiesA.at(-1),
      });
      const refused = await replay.text();
      assert.equal(replay.status, 403, refused);
      assert.match(refused, /"store":"intermediate-value"/);
      assert.doesNotMatch(refused, /readings|sqlite|redis|°/);

      // Fruit change in A re-runs the expensive step; B is unaffected.
      await chooseFruit(a.page, 'figs');
      const figs = await waitSummary(a.page, /^figs: 100000 readings, mean .* °F, computation/);
      assert.notEqual(figs.match(UUID)[1], idA);
      assert.match(await summary(b.page), /^apples: .* °C/);
      assert.deepEqual(a.problems, []);
      assert.deepEqual(b.problems, []);
      await ctxA.close();
      await ctxB.close();
    });
  });
}

// Server stores with pattern-matching ids (the parity tour's section,
// examples/parity_tour_sections/server_stores.rs): an ALL output fills every
// card's store, MATCH and ALL inputs read them back from references, and
// cards added by a callback bring stores of their own: on 2 workers, the
// one that built a new store in its answer shares its id through the
// backend (server_store/shared_ids.rs), so either worker writes and reads it.
const N = 20000;
// The sum of a card's numbers for its seed: seed, seed + 1, ... (N of them).
const sumFor = (seed) => seed * N + (N * (N - 1)) / 2;
const byId = (type, i) => `[id='{"i":${i},"type":"${type}"}']`;
async function waitText(page, selector, text) {
  try {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent === want,
      [selector, text],
      { timeout: 20000 },
    );
  } catch (e) {
    const seen = await page.evaluate((sel) => document.querySelector(sel)?.textContent, selector);
    throw new Error(`${selector}: waited for ${JSON.stringify(text)}, saw ${JSON.stringify(seen)}`);
  }
}

for (const workers of ['2', '1']) {
  describe(`parity_tour: server stores by pattern, ${workers} worker(s)`, { timeout: 120000 }, () => {
    let app;
    let browser;
    before(async () => {
      app = await startApp('parity_tour', {
        env: { DASH_CACHE_URL: tmpCacheUrl(`sscards-${workers}`) },
        args: ['--workers', workers],
      });
      assert.equal(childPids(app.pid).length, Number(workers) > 1 ? 2 : 0);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('fills stores through an ALL output and reads them by MATCH and ALL from references', async () => {
      const ctx = await browser.newContext();
      const { page, problems } = await openPage(ctx, app.url);
      const bodies = recordRequests(page);
      await waitText(page, '#sscard-total', '2 stores, 0 filled, sum 0');
      await waitText(page, byId('sscard-own', 1), 'empty');

      bodies.length = 0;
      await page.click('#sscard-fill');
      await waitText(page, '#sscard-total', `2 stores, 2 filled, sum ${sumFor(10) + sumFor(20)}`);
      await waitText(page, byId('sscard-own', 1), `${N} numbers from 10`);
      await waitText(page, byId('sscard-own', 2), `${N} numbers from 20`);
      // The reads carry references, not the 2 x 20,000 numbers.
      const reads = bodies.map((b) => JSON.parse(b)).filter((b) => b.output === 'sscard-total.children');
      assert.ok(reads.length >= 1, 'the ALL input was read');
      for (const body of reads) {
        assert.ok(JSON.stringify(body).length < 2048, `an ALL read of ${JSON.stringify(body).length} bytes`);
        for (const entry of body.inputs[0]) assert.match(entry.value.ref, /^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
      }

      // A new seed for card 2, then a refill: only its values change.
      await page.fill(byId('sscard-seed', 2), '5');
      await page.click('#sscard-fill');
      await waitText(page, '#sscard-total', `2 stores, 2 filled, sum ${sumFor(10) + sumFor(5)}`);
      await waitText(page, byId('sscard-own', 2), `${N} numbers from 5`);
      assert.deepEqual(problems, []);
      await ctx.close();
    });

    it('cards added by a callback bring new, empty stores, filled like the first', async () => {
      const ctx = await browser.newContext();
      const { page, problems } = await openPage(ctx, app.url);
      await waitText(page, '#sscard-total', '2 stores, 0 filled, sum 0');
      await page.click('#sscard-add');
      await waitText(page, '#sscard-total', '3 stores, 0 filled, sum 0');
      await page.click('#sscard-fill');
      await waitText(page, '#sscard-total', `3 stores, 3 filled, sum ${sumFor(10) + sumFor(20) + sumFor(30)}`);
      await waitText(page, byId('sscard-own', 3), `${N} numbers from 30`);
      assert.deepEqual(problems, []);
      await ctx.close();
    });
  });
}
