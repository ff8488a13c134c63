// Issue 13: the login example (on_disk_share behind the login page mode)
// under two worker processes, in headless Chromium.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startApp, launchBrowser, tmpCacheUrl, childPids, examplesDir, execFileSync } from './lib/harness.js';

// The users file, made with the example's own helper (no hard-coded hash).
function usersFile() {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'dash-e2e-login-'));
  const line = execFileSync(path.join(examplesDir, 'login'), ['--hash-password', 'alice'], { input: 'alice-pw\n' }).toString();
  assert.match(line, /^alice:\$argon2id\$/);
  const file = path.join(dir, 'users.txt');
  fs.writeFileSync(file, `# e2e users\n${line}`);
  return file;
}

async function signIn(page, url, user, password) {
  await page.goto(`${url}/login`);
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('#login')]);
}

describe('login example, 2 workers', { timeout: 120000 }, () => {
  let app;
  let browser;
  before(async () => {
    const env = { DASH_USERS_FILE: usersFile(), DASH_CACHE_URL: tmpCacheUrl('login'), EXPENSIVE_MS: '50' };
    app = await startApp('login', { env, args: ['--workers', '2'] });
    assert.equal(childPids(app.pid).length, 2, 'two worker processes');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the welcome page is public and links to the form', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const r = await page.goto(app.url);
    assert.equal(r.status(), 200);
    assert.equal(await page.textContent('#title'), 'Welcome');
    await Promise.all([page.waitForURL(`${app.url}/login`), page.click('a[href="/login"]')]);
    assert.ok(await page.isVisible('#login'));
    await ctx.close();
  });

  it('a wrong password shows the error on the form', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, app.url, 'alice', 'not-her-password');
    assert.ok(page.url().startsWith(`${app.url}/login`), page.url());
    await page.waitForSelector('text=Invalid username or password');
    assert.equal((await ctx.cookies()).filter((c) => c.name === 'dash_login').length, 0);
    await ctx.close();
  });

  it('/app without a cookie goes to the form, and the Dash routes answer 401', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/app`);
    assert.ok(page.url().startsWith(`${app.url}/login`), page.url());
    assert.ok(await page.isVisible('#login'));
    for (const route of ['_dash-layout', '_dash-dependencies']) {
      const r = await ctx.request.get(`${app.url}/app/${route}`);
      assert.equal(r.status(), 401, route);
      const text = await r.text();
      assert.ok(!text.includes('dropdown') && !text.includes('graph-1'), text);
    }
    const r = await ctx.request.post(`${app.url}/app/_dash-update-component`, {
      data: { output: 'signal.data', outputs: { id: 'signal', property: 'data' },
        inputs: [{ id: 'dropdown', property: 'value', value: 'apples' }], changedPropIds: ['dropdown.value'] },
    });
    assert.equal(r.status(), 401);
    assert.ok(!(await r.text()).includes('apples'));
    await ctx.close();
  });

  it('signing in reaches /app with the user and working graphs; logout kills the old cookie', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, app.url, 'alice', 'alice-pw');
    await page.waitForURL(`${app.url}/app`);
    await page.waitForSelector('#whoami');
    assert.equal(await page.textContent('#whoami'), 'Signed in as alice');
    await page.waitForFunction(
      () => [1, 2, 3, 4].every((i) => (document.querySelector(`#graph-${i} .gtitle`)?.textContent || '').startsWith(`graph-${i}: apples (computation `)),
      null, { timeout: 30000 },
    );
    await page.click('#dropdown');
    await page.click('.dash-dropdown-option:has-text("figs")');
    await page.waitForFunction(
      () => [1, 2, 3, 4].every((i) => (document.querySelector(`#graph-${i} .gtitle`)?.textContent || '').startsWith(`graph-${i}: figs (computation `)),
      null, { timeout: 30000 },
    );
    assert.deepEqual(problems, []);
    const old = (await ctx.cookies()).filter((c) => c.name === 'dash_login');
    assert.equal(old.length, 1, 'the sign-in cookie');
    assert.ok(old[0].httpOnly && old[0].sameSite === 'Lax');

    // The same cookie in another context works before the logout (so the
    // refusal below is the logout's doing).
    const before = await browser.newContext();
    await before.addCookies(old);
    const b = await before.newPage();
    await b.goto(`${app.url}/app`);
    await b.waitForSelector('#whoami');
    assert.equal(await b.textContent('#whoami'), 'Signed in as alice');
    await before.close();

    await Promise.all([page.waitForURL(/\/login/), page.click('a[href="/logout"]')]);
    assert.equal((await ctx.cookies()).filter((c) => c.name === 'dash_login').length, 0, 'the cookie is removed');

    // The old cookie put back: refused by every worker (fresh connections
    // from new contexts spread over both).
    for (let i = 0; i < 6; i++) {
      const again = await browser.newContext();
      await again.addCookies(old);
      const p = await again.newPage();
      await p.goto(`${app.url}/app`);
      assert.ok(p.url().startsWith(`${app.url}/login`), p.url());
      const r = await again.request.get(`${app.url}/app/_dash-layout`);
      assert.equal(r.status(), 401);
      await again.close();
    }
    await ctx.close();
  });
});
