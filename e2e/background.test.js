// Issue: background callbacks. The background_progress example with two
// workers, on the SQLite default and on Redis, in the real renderer: every
// step's progress and status in order, the result, the running state of
// the buttons, cancel (the job stops, the metrics count it, the next run
// starts from step 1), two users at once; and a job whose worker is killed
// ends with an error on the page within its lease.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, startRedis, launchBrowser, openPage, tmpCacheUrl, childPids } from './lib/harness.js';

const STEPS = 6;
const STEP_MS = 250;

// Records every state the page shows (each renderer commit), so that no
// step can be missed however fast it passes.
const RECORDER = `
  window.__states = [];
  const read = () => {
    const q = (s) => document.querySelector(s);
    if (!q('#run')) return null;
    return {
      value: q('#progress').getAttribute('value'),
      max: q('#progress').getAttribute('max'),
      status: q('#status').textContent,
      result: q('#result').textContent,
      runDisabled: q('#run').disabled,
      cancelDisabled: q('#cancel').disabled,
    };
  };
  let last = '';
  new MutationObserver(() => {
    const s = read();
    if (!s) return;
    const text = JSON.stringify(s);
    if (text !== last) { last = text; window.__states.push({ t: performance.now(), ...s }); }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

async function open(browser, url) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(RECORDER);
  const { page, problems } = await openPage(ctx, url);
  await page.waitForSelector('#run');
  return { ctx, page, problems };
}

const states = (page) => page.evaluate(() => window.__states);

// Waits until the page has shown a state with this status (in the record,
// so a state shown for one frame counts).
async function shown(page, status, timeout = 30000) {
  try {
    await page.waitForFunction((want) => window.__states.some((s) => s.status === want), status, { timeout, polling: 50 });
  } catch (e) {
    throw new Error(`${status} never shown: ${JSON.stringify(await states(page))}`);
  }
}
const mark = (page) => page.evaluate(() => window.__states.length);
const since = async (page, from) => (await states(page)).slice(from);

// Distinct values of one field, in the order the page showed them.
function sequence(list, field) {
  const out = [];
  for (const s of list) if (out[out.length - 1] !== s[field]) out.push(s[field]);
  return out;
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/_dash-metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('scope="all"'));
  assert.ok(line, `${name} in the metrics`);
  return Number(line.split(' ').pop());
}

async function until(what, check, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const steps = (n) => Array.from({ length: n }, (_, i) => `step ${i + 1} of ${STEPS}`);
const DONE = new RegExp(`^done: ${STEPS} steps, job [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`);

for (const backend of ['sqlite', 'redis']) {
  describe(`background callbacks, 2 workers, ${backend}`, { timeout: 180000 }, () => {
    let redis;
    let app;
    let browser;
    before(async () => {
      let url = tmpCacheUrl(`bg-${backend}`);
      if (backend === 'redis') {
        redis = await startRedis();
        url = redis.url;
      }
      app = await startApp('background_progress', {
        env: { STEPS: String(STEPS), STEP_MS: String(STEP_MS), DASH_CACHE_URL: url, DASH_METRICS: '1' },
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

    it('shows every step in order, the status of each, the result; running toggles the buttons', async () => {
      const { ctx, page, problems } = await open(browser, app.url);
      assert.equal(await page.isDisabled('#run'), false, 'run starts enabled');
      assert.equal(await page.isDisabled('#cancel'), true, 'cancel starts disabled');
      const from = await mark(page);
      await page.click('#run');
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#result').textContent), DONE.source, { timeout: 30000 });
      const seen = await since(page, from);
      assert.deepEqual(sequence(seen, 'value').filter((v) => v !== null), Array.from({ length: STEPS }, (_, i) => String(i + 1)));
      assert.deepEqual(sequence(seen, 'status').filter((s) => s !== ''), steps(STEPS));
      assert.ok(seen.filter((s) => s.value !== null).every((s) => s.max === String(STEPS)), 'max is STEPS');
      // While it ran, run was disabled and cancel enabled; after, the reverse.
      const during = seen.filter((s) => s.value !== null && Number(s.value) < STEPS);
      assert.ok(during.length >= STEPS - 1 && during.every((s) => s.runDisabled && !s.cancelDisabled), JSON.stringify(seen));
      assert.equal(await page.isDisabled('#run'), false);
      assert.equal(await page.isDisabled('#cancel'), true);
      assert.match(await page.textContent('#result'), DONE);
      assert.deepEqual(problems, [], 'no console errors and no failed requests');
      await ctx.close();
    });

    it('cancel stops the job and the metrics count it; the next run starts from step 1', async () => {
      const { ctx, page } = await open(browser, app.url);
      const cancelledBefore = await metric(app.url, 'dash_jobs_cancelled_total');
      await page.click('#run');
      await shown(page, `step 2 of ${STEPS}`);
      await page.click('#cancel');
      // The poll chain ends: running is off again.
      await page.waitForFunction(() => !document.querySelector('#run').disabled && document.querySelector('#cancel').disabled);
      const stoppedAt = await page.textContent('#status');
      assert.ok(/^step [23] of /.test(stoppedAt), stoppedAt);
      await until('the cancel in the metrics', async () => (await metric(app.url, 'dash_jobs_cancelled_total')) >= cancelledBefore + 1);
      // Longer than the rest of the job would have taken: nothing more.
      await page.waitForTimeout(STEPS * STEP_MS + 500);
      assert.equal(await page.textContent('#status'), stoppedAt, 'the step counter stopped');
      assert.equal(await page.textContent('#result'), '', 'no result');
      assert.equal(await metric(app.url, 'dash_jobs_running'), 0);
      // Again: from the first step.
      const from = await mark(page);
      await page.click('#run');
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#result').textContent), DONE.source, { timeout: 30000 });
      const seen = await since(page, from);
      // The page shows the cancelled run's last status until the new run's
      // first step; then every step from the first.
      const statuses = sequence(seen, 'status');
      while (statuses[0] === stoppedAt) statuses.shift();
      assert.deepEqual(statuses, steps(STEPS), 'starts again from step 1');
      await ctx.close();
    });

    it('two users at once each get their own result', async () => {
      const a = await open(browser, app.url);
      const b = await open(browser, app.url);
      await Promise.all([a.page.click('#run'), b.page.click('#run')]);
      const wait = (p) => p.waitForFunction((re) => new RegExp(re).test(document.querySelector('#result').textContent), DONE.source, { timeout: 30000 });
      await Promise.all([wait(a.page), wait(b.page)]);
      const [ra, rb] = [await a.page.textContent('#result'), await b.page.textContent('#result')];
      assert.notEqual(ra, rb, 'each user has the result of their own job');
      for (const u of [a, b]) {
        const seen = await states(u.page);
        assert.deepEqual(sequence(seen, 'status').filter((s) => s !== ''), steps(STEPS));
        assert.deepEqual(u.problems, []);
        await u.ctx.close();
      }
    });
  });
}

describe('a job whose worker is killed', { timeout: 120000 }, () => {
  const LEASE_MS = 2000;
  let app;
  let browser;
  before(async () => {
    app = await startApp('background_progress', {
      env: {
        STEPS: '100', STEP_MS: '200', DASH_CACHE_URL: tmpCacheUrl('bg-kill'),
        DASH_JOB_LEASE_MS: String(LEASE_MS), DASH_DEBUG: '1', RUST_LOG: 'info', NO_COLOR: '1',
      },
      args: ['--workers', '2'],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('ends with an error on the page within the lease time', async () => {
    const { ctx, page } = await open(browser, app.url);
    let polls = 0;
    page.on('request', (r) => { if (r.url().includes('_dash-update-component')) polls += 1; });
    await page.click('#run');
    await shown(page, 'step 1 of 100');
    const started = app.log().split('\n').filter((l) => l.includes('background job started'));
    assert.equal(started.length, 1, app.log());
    const pid = Number(started[0].match(/pid=(\d+)/)[1]);
    assert.ok(childPids(app.pid).includes(pid), 'a worker runs it');
    process.kill(pid, 'SIGKILL');
    const killed = Date.now();
    await page.waitForSelector('.test-devtools-error-count', { timeout: LEASE_MS + 8000 });
    const took = Date.now() - killed;
    console.log(`killed worker: error on the page ${took} ms after the kill (lease ${LEASE_MS} ms)`);
    assert.ok(took <= LEASE_MS + 4000, `${took} ms`);
    await page.waitForSelector('.dash-fe-error__title:has-text("Callback error updating result.children")');
    await page.click('.test-devtools-error-toggle:has-text("result")');
    await page.waitForSelector('.dash-backend-error:has-text("was not renewed")');
    // The chain is over: the buttons are back and nothing polls any more.
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    const after = polls;
    await page.waitForTimeout(1500);
    assert.equal(polls, after, 'no poll after the error');
    await ctx.close();
  });
});
