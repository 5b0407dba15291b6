// Test fixtures: a fresh Steward server (own temp dir, own SQLite database,
// own port) per spec file and per project, plus small page helpers.
//
// How it works:
// - `stewardServers` is a worker-scoped pool. Playwright never shares a worker
//   between projects, so every project gets its own servers and databases.
// - `steward` (test-scoped) asks the pool for the server of the current spec
//   file; the first test of a file starts it (stopping the previous file's),
//   later tests of the same file reuse it. If a worker restarts after a
//   failure, the file gets a new server with a new database.
// - `stewardAccounts` (set per file with `test.use`) lists staff accounts
//   created with `steward create-admin` BEFORE the server starts. With an admin
//   among them there is no first-run setup URL.
// - `stewardSeedUsers` (set per file with `test.use`) fills the database with
//   that many demo users with `steward seed --users N --seed 7` (deterministic)
//   after the accounts are created and BEFORE the server starts. Default 0: none.
// - `stewardSeedContent` (set per file with `test.use`) adds `--statuses S
//   --reports R` to that seed run: statuses with media and reports in every
//   state over the seeded users (deterministic too). Default: none.
// - `baseURL` points at the file's server, so `page.goto('/login')` works.

import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export { expect };

/** The repository root (this file lives in <root>/end2end/tests). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const READY_TIMEOUT_MS = 20_000;
/** `steward seed --seed` for `stewardSeedUsers`: the same seed gives the same users. */
export const SEED = 7;
const SETUP_URL_RE = /\/setup\?token=[A-Za-z0-9_-]+/;

export interface Account {
  nickname: string;
  email: string;
  password: string;
  moderator?: boolean;
}

/** A staff account most specs use: an admin created with the CLI. */
export const ADMIN: Account = {
  nickname: 'admin',
  email: 'admin@example.org',
  password: 'correct horse battery staple',
};

function requiredEnv(name: string, what: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: point it at ${what} (see end2end/README.md).`);
  }
  return value;
}

function stewardBin(): string {
  const bin = path.resolve(REPO_ROOT, requiredEnv('STEWARD_BIN', 'the compiled `steward` server binary'));
  if (!fs.existsSync(bin)) {
    throw new Error(`STEWARD_BIN=${bin} does not exist. Build the server first (see end2end/README.md).`);
  }
  return bin;
}

function siteRoot(): string {
  const root = path.resolve(REPO_ROOT, requiredEnv('STEWARD_SITE_ROOT', 'the compiled site directory (with pkg/steward.js)'));
  // cargo-leptos names the files by content hash (steward.<hash>.js).
  const pkg = fs.existsSync(path.join(root, 'pkg')) ? fs.readdirSync(path.join(root, 'pkg')) : [];
  for (const ext of ['.js', '.wasm', '.css']) {
    if (!pkg.some((f) => f.startsWith('steward') && f.endsWith(ext))) {
      throw new Error(`STEWARD_SITE_ROOT=${root} has no pkg/steward*${ext}. Build the site first (see end2end/README.md).`);
    }
  }
  return root;
}

/** A free TCP port on 127.0.0.1, as chosen by the OS. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      if (address === null || typeof address === 'string') {
        srv.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      srv.close(() => resolve(address.port));
    });
  });
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary to completion, feeding `input` on stdin. */
function run(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** One Steward server process with its own temporary database. */
export class StewardServer {
  readonly baseURL: string;
  private output = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitPromise: Promise<void>;

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly child: ChildProcess,
    port: number,
  ) {
    this.baseURL = `http://127.0.0.1:${port}`;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  /**
   * Creates a temp dir and database, the given accounts and `seedUsers` demo
   * users, then starts and awaits the server.
   */
  static async start(accounts: Account[] = [], seedUsers = 0, content: SeedContent | null = null): Promise<StewardServer> {
    const bin = stewardBin();
    const site = siteRoot();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-'));
    try {
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {};
      // Inherit the basics (PATH, HOME…) but no Steward or Leptos settings
      // from the calling shell: the server must see only ours.
      for (const [k, v] of Object.entries(process.env)) {
        if (!/^(STEWARD_|LEPTOS_|DATABASE_URL$|RUST_LOG$)/.test(k)) env[k] = v;
      }
      Object.assign(env, {
        DATABASE_URL: `sqlite://${dir}/steward.db`,
        STEWARD_ADDR: `127.0.0.1:${port}`,
        STEWARD_LEPTOS_TOML: path.join(REPO_ROOT, 'Leptos.toml'),
        LEPTOS_SITE_ROOT: site,
        RUST_LOG: 'warn',
      });
      for (const account of accounts) {
        await createAdminWith(bin, env, account);
      }
      if (seedUsers > 0 || content) await seedWith(bin, env, seedUsers, content);
      const child = spawn(bin, [], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const server = new StewardServer(bin, dir, env, child, port);
      try {
        await server.waitUntilReady();
      } catch (e) {
        await server.stop();
        throw e;
      }
      return server;
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Everything the server wrote to stdout and stderr so far. */
  log(): string {
    return this.output;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`steward exited early (${JSON.stringify(this.exited)}). Output:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = String(e);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`steward at ${this.baseURL} not ready after ${READY_TIMEOUT_MS} ms (${last}). Output:\n${this.output}`);
  }

  /**
   * The one-time setup path (`/setup?token=stw_…`) the server printed to
   * stderr on its fresh database. Waits briefly for the output to arrive.
   */
  async setupPath(timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(SETUP_URL_RE);
      if (match) return match[0];
      if (Date.now() > deadline) {
        throw new Error(`steward printed no setup URL. Output:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** `steward create-admin` against this server's database (works while it runs). */
  async createAdmin(account: Account): Promise<void> {
    await createAdminWith(this.bin, this.env, account);
  }

  /** `steward create-token`; returns the printed secret. */
  async createToken(nickname: string, name: string): Promise<string> {
    const r = await run(this.bin, ['create-token', '--nickname', nickname, '--name', name], this.env);
    if (r.code !== 0) throw new Error(`create-token failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  }

  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL');
      }, 5_000);
      await this.exitPromise;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function createAdminWith(bin: string, env: NodeJS.ProcessEnv, a: Account): Promise<void> {
  const args = ['create-admin', '--nickname', a.nickname, '--email', a.email];
  if (a.moderator) args.push('--moderator');
  args.push('--password-stdin');
  const r = await run(bin, args, env, `${a.password}\n`);
  if (r.code !== 0) {
    throw new Error(`create-admin ${a.nickname} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  }
}

/** Statuses and reports for `steward seed` (see `stewardSeedContent`). */
export interface SeedContent {
  statuses: number;
  reports: number;
}

/** `steward seed --users N [--statuses S --reports R] --seed 7`: deterministic demo data. */
async function seedWith(bin: string, env: NodeJS.ProcessEnv, users: number, content: SeedContent | null): Promise<void> {
  if (!Number.isInteger(users) || users < 0) throw new Error(`stewardSeedUsers must be a whole number, not ${users}`);
  const extra = content ? ['--statuses', String(content.statuses), '--reports', String(content.reports)] : [];
  const r = await run(bin, ['seed', '--users', String(users), ...extra, '--seed', String(SEED)], env);
  if (r.code !== 0) {
    throw new Error(`seed --users ${users} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  }
}

/** The current spec file's server; starting another file's stops the previous one. */
class ServerPool {
  private key: string | null = null;
  private server: StewardServer | null = null;

  async forFile(file: string, accounts: Account[], seedUsers = 0, content: SeedContent | null = null): Promise<StewardServer> {
    const key = `${file}\n${JSON.stringify(accounts)}\n${seedUsers}\n${JSON.stringify(content)}`;
    if (this.server && this.key === key) return this.server;
    await this.stopAll();
    this.server = await StewardServer.start(accounts, seedUsers, content);
    this.key = key;
    return this.server;
  }

  async stopAll(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.key = null;
    if (server) await server.stop();
  }
}

export const test = base.extend<
  {
    stewardAccounts: Account[];
    stewardSeedUsers: number;
    stewardSeedContent: SeedContent | null;
    steward: StewardServer;
    pageErrors: string[];
  },
  { stewardServers: ServerPool }
>({
  stewardAccounts: [[], { option: true }],
  stewardSeedUsers: [0, { option: true }],
  stewardSeedContent: [null, { option: true }],

  stewardServers: [
    async ({}, use) => {
      const pool = new ServerPool();
      await use(pool);
      await pool.stopAll();
    },
    { scope: 'worker', timeout: 30_000 },
  ],

  steward: [
    async ({ stewardServers, stewardAccounts, stewardSeedUsers, stewardSeedContent }, use, testInfo: TestInfo) => {
      const server = await stewardServers.forFile(testInfo.file, stewardAccounts, stewardSeedUsers, stewardSeedContent);
      await use(server);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('steward-output.txt', { body: server.log(), contentType: 'text/plain' });
      }
    },
    { timeout: 60_000 },
  ],

  baseURL: async ({ steward }, use) => {
    await use(steward.baseURL);
  },

  // Uncaught exceptions in the page (with JavaScript on: a panic in the
  // hydrated app). Collected for every test, attached to failing ones
  // together with console errors; hydration.spec.ts asserts there are none.
  pageErrors: [
    async ({ page }, use, testInfo) => {
      const errors: string[] = [];
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.name}: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
      });
      await use(errors);
      if (testInfo.status !== testInfo.expectedStatus && (errors.length || consoleErrors.length)) {
        const body = [`Uncaught page errors:`, ...errors, '', 'Console errors:', ...consoleErrors].join('\n');
        await testInfo.attach('browser-errors.txt', { body, contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
});

// ---------------------------------------------------------------------------
// Page helpers

/** Below Tailwind's `md` breakpoint the sidebar is hidden and the phone menu shows. */
export function isPhone(page: Page): boolean {
  return (page.viewportSize()?.width ?? 1280) < 768;
}

/** The phone header's `<summary>` that opens the navigation. */
export function menuSummary(page: Page) {
  return page.locator('summary').filter({ hasText: 'Menu' });
}

/** Opens the phone menu (a `<details>`) unless it is open already; works without JavaScript. */
export async function openPhoneMenu(page: Page): Promise<void> {
  const details = page.locator('details').filter({ has: menuSummary(page) });
  await expect(menuSummary(page)).toBeVisible();
  // After a client-side navigation (JavaScript on) the menu may still be open.
  if ((await details.getAttribute('open')) === null) await menuSummary(page).click();
  await expect(details).toHaveAttribute('open', '');
}

/** The "Sign out" button that is visible at the current width (two are in the DOM). */
export function visibleSignOut(page: Page) {
  return page.getByRole('button', { name: 'Sign out', exact: true, includeHidden: true }).filter({ visible: true });
}

/** Fills and submits the sign-in form on the current page (e.g. `/login?next=…`). */
export async function submitSignIn(page: Page, nickname: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
  await page.getByLabel('Nickname', { exact: true }).fill(nickname);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens `/login` and signs in; the caller checks where it lands. */
export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto('/login');
  await submitSignIn(page, account.nickname, account.password);
}

/** Signs out with the visible control (opening the phone menu first) and checks the result. */
export async function signOut(page: Page): Promise<void> {
  if (isPhone(page)) await openPhoneMenu(page);
  await visibleSignOut(page).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
}

/** The messages of the moderation log's entries, in page order (newest first). */
export async function logMessages(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Log entries' });
  await expect(list).toBeVisible();
  return (await list.getByRole('listitem').locator('p').allInnerTexts()).map((t) => t.trim());
}

/**
 * With JavaScript on: waits until the user list (`/users`) has hydrated. Its
 * "Keyboard shortcuts" paragraph is only given its `md:block` class by an
 * effect in the browser (it stays hidden below 768 px either way), so the
 * class says the page's event handlers are live. Never resolves without
 * JavaScript: call it only when `javaScriptEnabled`.
 */
export async function usersHydrated(page: Page): Promise<void> {
  const shortcuts = page.getByRole('button', { name: 'Keyboard shortcuts', exact: true, includeHidden: true });
  await expect(shortcuts.locator('xpath=..')).toHaveClass(/(^|\s)md:block(\s|$)/);
  await page.waitForLoadState('networkidle');
}

/** The flash message (`role=status`) containing `text`. */
export function flash(page: Page, text: string | RegExp) {
  return page.getByRole('status').filter({ hasText: text });
}

/** Calls the admin API with `token` and expects success; the JSON answer (null for 204). */
export async function adminApi(page: Page, token: string, method: string, path: string, data?: unknown, scheme = 'Bearer') {
  const res = await page.request.fetch(`/api/v1/admin${path}`, {
    method,
    headers: { Authorization: `${scheme} ${token}` },
    data,
  });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json();
}
