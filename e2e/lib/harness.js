// Starting example apps and browsers for the end-to-end tests.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const examplesDir = process.env.DASH_EXAMPLES_DIR || path.resolve(here, '../../target/debug/examples');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

// Starts `examples/<name>` on a free port; returns {url, stop, log}.
export async function startApp(name, { env = {}, args = [] } = {}) {
  const bin = path.join(examplesDir, name);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run cargo build --examples first`);
  const port = await freePort();
  const child = spawn(bin, args, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/`);
  return {
    url,
    pid: child.pid,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const end = Date.now() + 10000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > end) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page in its own context that records console errors and failed requests.
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('.map')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}

export function tmpCacheUrl(tag) {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', `dash-e2e-${tag}-`));
  return `sqlite://${dir}/cache.sqlite`;
}

// Children of a process (worker PIDs of a supervisor), Linux only.
export function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** How long each callback request of the page took, in ms (Resource Timing). */
export async function updateTimes(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('_dash-update-component'))
    .map((e) => Math.round(e.duration)));
}

/** Forgets the requests timed so far, so that updateTimes sees only later ones. */
export async function clearTimes(page) {
  await page.evaluate(() => performance.clearResourceTimings());
}

export { execFileSync };
