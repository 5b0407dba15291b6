// Playwright configuration for Steward's end-to-end suite.
//
// Every spec starts its own Steward server on a fresh SQLite database (see
// tests/fixtures.ts), so nothing needs to be running beforehand. Required env:
// STEWARD_BIN (the compiled `steward` binary) and STEWARD_SITE_ROOT (the
// compiled site directory with pkg/steward.js, pkg/steward_bg.wasm, pkg/steward.css).
//
// Run from the repository root:
//   npx playwright test -c end2end/playwright.config.ts [--project desktop-nojs]

import { defineConfig } from '@playwright/test';

const desktop = { width: 1280, height: 800 };

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'desktop-js',
      use: { viewport: desktop },
    },
    {
      name: 'desktop-nojs',
      use: { viewport: desktop, javaScriptEnabled: false },
    },
    {
      name: 'phone',
      use: {
        viewport: { width: 375, height: 812 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      },
    },
  ],
});
