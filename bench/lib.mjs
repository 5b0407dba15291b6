// What the browser benchmarks (lazy-tti.mjs, first-paint.mjs) share: a
// server on a fresh, seeded SQLite database, set up as
// end2end/tests/fixtures.ts does (STEWARD_BIN, STEWARD_SITE_ROOT), a headless
// Chromium, a signed-in session, network emulation and percentiles.

import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
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
export async function startServer() {
  const bin = required('STEWARD_BIN');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-'));
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

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
}

/** Signs the admin in once; every run's fresh context starts from this storage state (the session cookie). */
export async function signedInState(browser, base) {
  const login = await browser.newContext({ baseURL: base });
  const page = await login.newPage();
  await page.goto('/login');
  await page.getByLabel('Nickname', { exact: true }).fill(ADMIN.nickname);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
  const state = await login.storageState();
  await login.close();
  return state;
}

/**
 * Throttles `page` through the Chrome DevTools Protocol: latency in ms,
 * throughput in bytes per second, and optionally the CPU (a slowdown factor).
 */
export async function emulateNetwork(context, page, { latency, down, up, cpu = 1 }) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: down, uploadThroughput: up });
  if (cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
