// First paint and hydration of the dashboard (`/`) and the reports inbox
// (`/reports`) opened directly on a phone over a throttled connection, the way
// a moderator opens a bookmark. Per run: a fresh browser context (empty cache)
// with a session cookie, a 375 × 812 touch viewport, Chromium's network
// emulation (DevTools Protocol) on before the request, then `goto` until the
// page has hydrated. From navigation start, in the page: time to the HTML's
// last byte, first contentful paint (Paint Timing), and
// hydration (the app sets `data-hydrated` on <html> in an effect; an init
// script timestamps it). Also the bytes on the wire by kind (Resource Timing
// transferSize). Prints medians, p90 and the bytes of the last run. The
// emulation delays whole responses, so the HTML's first byte is not shown:
// Resource Timing sees it before the emulated latency. Over plain HTTP
// Chromium asks for gzip, not Brotli: behind TLS the assets are smaller.
//
//   STEWARD_BIN=… STEWARD_SITE_ROOT=… node bench/first-paint.mjs
//   RUNS=20 CPU=4 node bench/first-paint.mjs
//
// The default network is DevTools' "Slow 4G" preset: 562.5 ms latency,
// 180,000 B/s down, 84,375 B/s up. `LATENCY_MS`, `DOWN_BPS`, `UP_BPS` change it,
// `CPU` slows the CPU (DevTools' "4× slowdown" is CPU=4).

import { emulateNetwork, launchBrowser, percentile, signedInState, startServer } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const NETWORK = {
  latency: Number(process.env.LATENCY_MS ?? 562.5),
  down: Number(process.env.DOWN_BPS ?? 180_000),
  up: Number(process.env.UP_BPS ?? 84_375),
  cpu: Number(process.env.CPU ?? 1),
};
const PHONE = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const ROUTES = [
  { path: '/', heading: 'Dashboard' },
  { path: '/reports', heading: 'Reports' },
];

/** Runs before the page's own scripts: timestamps the moment `data-hydrated` appears. */
function watchHydration() {
  new MutationObserver((_, observer) => {
    if (!document.documentElement.hasAttribute('data-hydrated')) return;
    window.__hydrated = performance.now();
    observer.disconnect();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}

/** In the page, once hydrated: the timings (ms after navigation start) and bytes by kind. */
function collect() {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const kind = (name) => {
    const p = new URL(name).pathname;
    if (p.endsWith('.wasm')) return 'wasm';
    if (p.endsWith('.js')) return 'js';
    if (p.endsWith('.css')) return 'css';
    return p.startsWith('/api/') ? 'data' : 'other';
  };
  const bytes = { html: nav.transferSize };
  for (const r of performance.getEntriesByType('resource')) bytes[kind(r.name)] = (bytes[kind(r.name)] ?? 0) + r.transferSize;
  return {
    html: nav.responseEnd,
    fcp: fcp?.startTime,
    hydrated: window.__hydrated,
    htmlBytes: nav.encodedBodySize,
    bytes,
  };
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const storageState = await signedInState(browser, server.base);
  console.log(
    `${RUNS} runs per page (after one warm-up), 375 px phone, ${NETWORK.latency} ms latency,` +
      ` ${NETWORK.down} / ${NETWORK.up} B/s down / up, CPU ${NETWORK.cpu}×`,
  );
  for (const route of ROUTES) {
    const runs = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ baseURL: server.base, storageState, ...PHONE });
      const page = await context.newPage();
      await page.addInitScript(watchHydration);
      await emulateNetwork(context, page, NETWORK);
      await page.goto(route.path, { timeout: 120_000 });
      await page.getByRole('heading', { level: 1, name: route.heading, exact: true }).waitFor({ timeout: 5_000 });
      await page.waitForFunction(() => window.__hydrated !== undefined, null, { timeout: 120_000 });
      if (i > 0) runs.push(await page.evaluate(collect));
      await context.close();
    }
    const stat = (f) => {
      const xs = runs.map(f).sort((a, b) => a - b);
      return `${Math.round(percentile(xs, 50))} ms (p90 ${Math.round(percentile(xs, 90))})`;
    };
    const last = runs.at(-1);
    const total = Object.values(last.bytes).reduce((a, b) => a + b, 0);
    console.log(
      `${route.path}: HTML done ${stat((r) => r.html)},` +
        ` first contentful paint ${stat((r) => r.fcp)}, hydrated ${stat((r) => r.hydrated)}`,
    );
    console.log(
      `  on the wire: ${total} B (` +
        Object.entries(last.bytes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') +
        `); the HTML is ${last.htmlBytes} B`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
