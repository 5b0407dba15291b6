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

import { emulateNetwork, launchBrowser, percentile, signedInState, startServer } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 40);
const DOWN_MBIT = Number(process.env.DOWN_MBIT ?? 4);
const UP_MBIT = Number(process.env.UP_MBIT ?? 2);
const NETWORK = { latency: LATENCY_MS, down: (DOWN_MBIT * 1e6) / 8, up: (UP_MBIT * 1e6) / 8 };

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

const server = await startServer();
const browser = await launchBrowser();
try {
  const storageState = await signedInState(browser, server.base);

  console.log(`${RUNS} runs each (after one warm-up), ${LATENCY_MS} ms latency, ${DOWN_MBIT}/${UP_MBIT} Mbit/s down/up`);
  for (const s of scenarios) {
    const results = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ baseURL: server.base, storageState, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(s.start);
      // The app's script and WebAssembly are fetched and run once the network settles.
      await page.waitForLoadState('networkidle');
      await emulateNetwork(context, page, NETWORK);
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
