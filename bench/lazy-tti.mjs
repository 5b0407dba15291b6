// Time to interactive of two lazy routes on client-side navigation:
// `/users` from the dashboard's sidebar link and `/reports/{id}` from the
// reports inbox. The server, site and database are set up as
// end2end/tests/fixtures.ts does (STEWARD_BIN, STEWARD_SITE_ROOT).
//
// Each run gets a fresh browser context (empty cache, so the route's WASM
// chunk is fetched again), opens the start page unthrottled, waits until it
// has hydrated, then turns on network emulation (Chrome DevTools Protocol)
// and clicks. Timed in the page: from the click event to the first DOM change
// after which the page's content is there and live. Prints median and p90.
//
//   STEWARD_BIN=… STEWARD_SITE_ROOT=… node bench/lazy-tti.mjs
//   RUNS=20 LATENCY_MS=40 DOWN_MBIT=4 UP_MBIT=2 node bench/lazy-tti.mjs

import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 15);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 40);
const DOWN_MBIT = Number(process.env.DOWN_MBIT ?? 4);
const UP_MBIT = Number(process.env.UP_MBIT ?? 2);
const ADMIN = { nickname: 'admin', email: 'admin@example.org', password: 'correct horse battery staple' };

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (see end2end/README.md)`);
  return path.resolve(REPO_ROOT, v);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(bin, args, env, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} failed (${code}): ${out}`))));
    child.stdin.end(input);
  });
}

/** A server on a fresh SQLite database with an admin and seeded users, statuses and reports. */
async function startServer() {
  const bin = required('STEWARD_BIN');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-tti-'));
  const port = await freePort();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(STEWARD_|LEPTOS_|DATABASE_URL$|RUST_LOG$)/.test(k)),
  );
  Object.assign(env, {
    DATABASE_URL: `sqlite://${dir}/steward.db`,
    STEWARD_ADDR: `127.0.0.1:${port}`,
    STEWARD_LEPTOS_TOML: path.join(REPO_ROOT, 'Leptos.toml'),
    LEPTOS_SITE_ROOT: required('STEWARD_SITE_ROOT'),
    RUST_LOG: 'warn',
  });
  await run(bin, ['create-admin', '--nickname', ADMIN.nickname, '--email', ADMIN.email, '--password-stdin'], env, `${ADMIN.password}\n`);
  await run(bin, ['seed', '--users', '1000', '--statuses', '300', '--reports', '120', '--seed', '7'], env);
  const child = spawn(bin, [], { cwd: REPO_ROOT, env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {}
    if (i > 200) {
      await stop();
      throw new Error('server not ready after 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop };
}

/**
 * Runs in the page before the click: on the click event, watches the DOM and
 * resolves `window.__tti` at the first change after which `ready()` holds, with
 * when the page's data requests (server functions under /api/) and the route's
 * WASM chunks started and ended, in ms after the click.
 */
function watchNavigation(ready) {
  window.__tti = new Promise((resolve) => {
    document.addEventListener(
      'click',
      () => {
        const t0 = performance.now();
        const span = (entries) =>
          entries.length ? [Math.min(...entries.map((e) => e.startTime)) - t0, Math.max(...entries.map((e) => e.responseEnd)) - t0] : undefined;
        const observer = new MutationObserver(() => {
          if (!ready()) return;
          observer.disconnect();
          const tti = performance.now() - t0;
          const since = performance.getEntriesByType('resource').filter((e) => e.startTime >= t0);
          resolve({
            tti,
            data: span(since.filter((e) => new URL(e.name).pathname.startsWith('/api/'))),
            chunk: span(since.filter((e) => new URL(e.name).pathname.endsWith('.wasm'))),
          });
        });
        observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
      },
      { capture: true, once: true },
    );
  });
}

/** Clicks `link` and returns what `watchNavigation` measured; fails if the click loaded a new document. */
async function timeNavigation(page, link, ready) {
  // A string, so the page evaluates both functions as they are written here.
  await page.evaluate(`(${watchNavigation})(${ready})`);
  await link.click();
  const result = await page.evaluate(() =>
    Promise.race([window.__tti, new Promise((_, reject) => setTimeout(() => reject(new Error('not ready after 30 s')), 30_000))]),
  );
  if (result === undefined) throw new Error('the click loaded a new document: the start page had not hydrated');
  return result;
}

async function emulateNetwork(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: (DOWN_MBIT * 1e6) / 8,
    uploadThroughput: (UP_MBIT * 1e6) / 8,
  });
}

// In-page checks: the content is there and its handlers are live.
const usersReady = () =>
  location.pathname === '/users' &&
  document.querySelector('[data-testid="users-total"]') !== null &&
  document.querySelector('[data-user-row]') !== null &&
  document.getElementById('users-q') !== null &&
  // Set by an effect once the page is mounted in the browser (shortcuts live).
  document.querySelector('p.md\\:block > button[aria-keyshortcuts]') !== null;

const reportReady = () =>
  /^\/reports\/\d+$/.test(location.pathname) &&
  document.querySelector('h1')?.textContent === `Report #${location.pathname.split('/')[2]}` &&
  document.querySelector('[data-testid="decide"] button') !== null &&
  document.querySelector('[data-testid="actions"]') !== null;

const scenarios = [
  {
    name: '/users (dashboard → sidebar "Users")',
    start: '/',
    link: (page) => page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Users', exact: true }),
    ready: usersReady,
  },
  {
    name: '/reports/{id} (inbox → first report)',
    start: '/reports',
    link: (page) => page.getByTestId('report-row').first().getByRole('link').first(),
    ready: reportReady,
  },
];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const server = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
try {
  // Sign in once; every run's fresh context starts from this session cookie.
  const login = await browser.newContext({ baseURL: server.base });
  const lp = await login.newPage();
  await lp.goto('/login');
  await lp.getByLabel('Nickname', { exact: true }).fill(ADMIN.nickname);
  await lp.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await lp.getByRole('button', { name: 'Sign in', exact: true }).click();
  await lp.waitForURL((url) => url.pathname === '/');
  const storageState = await login.storageState();
  await login.close();

  console.log(`${RUNS} runs each (after one warm-up), ${LATENCY_MS} ms latency, ${DOWN_MBIT}/${UP_MBIT} Mbit/s down/up`);
  for (const s of scenarios) {
    const results = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ baseURL: server.base, storageState, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(s.start);
      // The app's script and WebAssembly are fetched and run once the network settles.
      await page.waitForLoadState('networkidle');
      await emulateNetwork(context, page);
      const r = await timeNavigation(page, s.link(page), s.ready);
      if (i > 0) results.push(r);
      await context.close();
    }
    const tti = results.map((r) => r.tti).sort((a, b) => a - b);
    const med = (f) => {
      const xs = results.map(f).filter((x) => x !== undefined).sort((a, b) => a - b);
      return xs.length ? Math.round(percentile(xs, 50)) : '–';
    };
    console.log(
      `${s.name}: median ${Math.round(percentile(tti, 50))} ms, p90 ${Math.round(percentile(tti, 90))} ms` +
        ` (min ${Math.round(tti[0])}, max ${Math.round(tti.at(-1))});` +
        ` medians after the click: data requests ${med((r) => r.data?.[0])}–${med((r) => r.data?.[1])} ms,` +
        ` WASM chunks ${med((r) => r.chunk?.[0])}–${med((r) => r.chunk?.[1])} ms`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
