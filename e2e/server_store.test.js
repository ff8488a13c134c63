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
