// Accessibility of every page, in all three projects (desktop with and
// without JavaScript, 375 px phone):
//
// - axe-core (WCAG 2.0/2.1 A and AA rules) in the light and the dark colour
//   scheme; any violation of impact "serious" or "critical" fails the test
//   (minor and moderate ones are attached to the result as text);
// - on narrow viewports (≤ 430 px, the phone project) every visible
//   interactive element must offer a hit area of at least 44×44 CSS px;
// - a list row's tick box is ticked by tapping anywhere in the row's
//   full-height strip (reports everywhere, user cards on phones).
//
// The pages: the dashboard, the report inbox (list and grouped), a report,
// statuses, users, a new user, a user, the moderation log, the account page,
// the sign-in page (signed out), a 404 page, the open filter panel and saved
// views of /users, and on phones the open menu. One seeded server per project
// for the file.

import AxeBuilder from '@axe-core/playwright';
import type { Result as AxeResult } from 'axe-core';
import { test, expect, ADMIN, isPhone, openPhoneMenu, signIn, type Page, type TestInfo } from './fixtures';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 40, stewardSeedContent: { statuses: 80, reports: 40 } });

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** WCAG 2.5.5 (AAA) target size, which the console promises on phones. */
const MIN_TARGET = 44;
/** The target-size check runs on viewports at most this wide. */
const NARROW = 430;

/** One axe violation as readable lines: rule, impact, help, and each node with its failure summary. */
function describeViolation(v: AxeResult): string {
  const nodes = v.nodes.slice(0, 8).map((n) => {
    const why = (n.failureSummary ?? '').split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' / ');
    return `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 160)}\n      ${why}`;
  });
  const more = v.nodes.length > 8 ? [`    … and ${v.nodes.length - 8} more`] : [];
  return [`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'})`, `    ${v.helpUrl}`, ...nodes, ...more].join('\n');
}

/** Waits until the page is settled: with JavaScript, hydrated and idle. */
async function settle(page: Page, testInfo: TestInfo): Promise<void> {
  await page.waitForLoadState('load');
  if (testInfo.project.use.javaScriptEnabled !== false) await page.waitForLoadState('networkidle');
}

/**
 * A page axe can run in. axe-core needs scripts (event listeners, timers), so
 * without JavaScript (desktop-nojs) it checks a twin: a JavaScript-enabled
 * page of the same size showing the current DOM of `page` (open disclosures
 * included) with every script removed and script requests refused, so what
 * it sees is exactly what the user without JavaScript sees.
 */
async function axeTarget(page: Page, testInfo: TestInfo): Promise<{ target: Page; close: () => Promise<void> }> {
  if (testInfo.project.use.javaScriptEnabled !== false) return { target: page, close: async () => {} };
  const url = page.url();
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const context = await page.context().browser()!.newContext({
    viewport: page.viewportSize(),
    deviceScaleFactor: testInfo.project.use.deviceScaleFactor,
    javaScriptEnabled: true,
  });
  const twin = await context.newPage();
  await twin.route('**/*', (route) => {
    const req = route.request();
    if (req.isNavigationRequest() && req.url() === url) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    if (req.resourceType() === 'script' || req.url().endsWith('.wasm')) return route.abort();
    return route.continue();
  });
  await twin.goto(url);
  await twin.waitForLoadState('load');
  return { target: twin, close: () => context.close() };
}

/** Runs axe in the light and the dark scheme; returns the failing violations as text (empty when clean). */
async function axeFindings(page: Page, what: string, testInfo: TestInfo): Promise<string[]> {
  const failing: string[] = [];
  const minor: string[] = [];
  const { target, close } = await axeTarget(page, testInfo);
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await target.emulateMedia({ colorScheme: scheme });
      const results = await new AxeBuilder({ page: target }).withTags(AXE_TAGS).analyze();
      for (const v of results.violations) {
        const text = `${what} (${scheme}):\n${describeViolation(v)}`;
        (FAILING_IMPACTS.has(v.impact ?? '') ? failing : minor).push(text);
      }
    }
    await target.emulateMedia({ colorScheme: null });
  } finally {
    await close();
  }
  if (minor.length) await testInfo.attach(`axe-minor ${what}.txt`, { body: minor.join('\n\n'), contentType: 'text/plain' });
  return failing;
}

interface SmallTarget {
  element: string;
  width: number;
  height: number;
}

/**
 * Every visible interactive element whose hit area is under `min`×`min`:
 * `a[href]`, `button`, `input:not([type=hidden])`, `select`, `textarea`,
 * `summary`, and labels wrapping a checkbox or radio.
 *
 * - A checkbox or radio counts the largest of its own box and its labels'
 *   boxes (`input.labels`): clicking anywhere on a label toggles it. A box
 *   hidden visually (`sr-only`, ≤ 1 px, e.g. the media "Tap to show" toggle)
 *   is not itself a target; the label wrapping it is measured instead.
 * - Exception (WCAG 2.5.8 "inline"): a link inside running text, identified
 *   precisely as an `<a>` whose parent element is a `<p>` or a status's
 *   sanitized content (`.status-content`) that has text of its own outside
 *   the link, i.e. the link is part of a sentence whose line height bounds it.
 * - The "Skip to content" link is `sr-only` until it has keyboard focus, so
 *   it is no pointer target; elements of 1 px or less are skipped likewise.
 */
async function smallTargets(page: Page, min: number): Promise<SmallTarget[]> {
  return page.evaluate((min) => {
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true } as CheckVisibilityOptions);
    };
    const visuallyHidden = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width <= 1 || r.height <= 1;
    };
    const ownText = (parent: Element, link: Element) => {
      let text = '';
      for (const node of Array.from(parent.childNodes)) {
        if (node !== link) text += node.textContent ?? '';
      }
      return text.trim();
    };
    const inlineInText = (el: Element) => {
      if (el.tagName !== 'A') return false;
      const parent = el.parentElement;
      if (!parent) return false;
      const textBlock = parent.tagName === 'P' || parent.classList.contains('status-content');
      return textBlock && ownText(parent, el).length > 0;
    };
    const describe = (el: Element) => {
      const tag = el.tagName.toLowerCase();
      const type = el.getAttribute('type');
      const name = (el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? el.getAttribute('name') ?? '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 50);
      const id = el.id ? `#${el.id}` : '';
      const where = el.closest('[data-testid]')?.getAttribute('data-testid');
      return `<${tag}${type ? ` type=${type}` : ''}${id}> "${name}"${where ? ` in [data-testid=${where}]` : ''}`;
    };
    const toggles = (el: Element) => el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');

    const found: { element: string; width: number; height: number }[] = [];
    const covered = new Set<Element>();
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    for (const el of Array.from(document.querySelectorAll(selector))) {
      if (!shown(el) || visuallyHidden(el) || inlineInText(el)) continue;
      const boxes = [el.getBoundingClientRect()];
      if (toggles(el)) {
        for (const label of Array.from((el as HTMLInputElement).labels ?? [])) {
          covered.add(label);
          if (shown(label)) boxes.push(label.getBoundingClientRect());
        }
      }
      const ok = boxes.some((b) => b.width >= min && b.height >= min);
      if (!ok) {
        const best = boxes.reduce((a, b) => (Math.min(b.width, b.height) > Math.min(a.width, a.height) ? b : a));
        found.push({ element: describe(el), width: Math.round(best.width), height: Math.round(best.height) });
      }
    }
    // Labels wrapping a checkbox or radio that no visible box above already accounted for.
    for (const label of Array.from(document.querySelectorAll('label:has(input[type=checkbox], input[type=radio])'))) {
      if (covered.has(label) && !visuallyHidden(label.querySelector('input')!)) continue;
      if (!shown(label)) continue;
      const b = label.getBoundingClientRect();
      if (b.width < min || b.height < min) {
        found.push({ element: describe(label), width: Math.round(b.width), height: Math.round(b.height) });
      }
    }
    return found;
  }, min);
}

/** axe on the current page, and the target-size check on narrow viewports; fails the test with all findings listed. */
async function checkPage(page: Page, what: string, testInfo: TestInfo): Promise<void> {
  await settle(page, testInfo);
  const problems = await axeFindings(page, what, testInfo);
  const width = page.viewportSize()?.width ?? 1280;
  if (width <= NARROW) {
    const small = await smallTargets(page, MIN_TARGET);
    if (small.length) {
      problems.push(
        `${what}: ${small.length} target${small.length === 1 ? '' : 's'} under ${MIN_TARGET}×${MIN_TARGET} px at ${width} px wide:\n` +
          small.map((s) => `    - ${s.element}: ${s.width}×${s.height}`).join('\n'),
      );
    }
  }
  // Soft: a test visiting several pages reports the findings of all of them.
  expect.soft(problems.length, `accessibility findings on ${what}:\n\n${problems.join('\n\n')}\n`).toBe(0);
}

/** The first report in the inbox, and the account it is about. */
async function firstReport(page: Page): Promise<{ report: string; user: string }> {
  await page.goto('/reports');
  const report = await page.getByTestId('report-row').first().getByRole('link').first().getAttribute('href');
  expect(report).toMatch(/^\/reports\/\d+$/);
  await page.goto(report!);
  const user = await page.getByRole('region', { name: 'Who and why' }).getByRole('link').first().getAttribute('href');
  expect(user).toMatch(/^\/users\/\d+$/);
  return { report: report!, user: user! };
}

test.describe('signed out', () => {
  test('the sign-in page', async ({ page }, testInfo) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
    await checkPage(page, '/login', testInfo);
  });

  for (const [path, heading] of [
    ['/register', 'Create an account'],
    ['/forgot-password', 'Forgot your password?'],
  ]) {
    test(`page ${path}`, async ({ page }, testInfo) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await checkPage(page, path, testInfo);
    });
  }
});

test.describe('signed in as an admin', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, ADMIN);
    await expect(page).toHaveURL((url) => url.pathname === '/');
  });

  const pages: [path: string, heading: string][] = [
    ['/', 'Dashboard'],
    ['/reports', 'Reports'],
    ['/reports?view=grouped', 'Reports'],
    ['/statuses', 'Statuses'],
    ['/users', 'Users'],
    ['/users/new', 'New user'],
    ['/moderation-log', 'Moderation log'],
    ['/registrations', 'Registrations'],
    ['/invites', 'Invites'],
    ['/organizations', 'Organizations'],
    ['/apps', 'Apps'],
    ['/oauth-apps', 'OAuth apps'],
    ['/outbox', 'Outbox'],
    ['/webhooks', 'Webhooks'],
    ['/settings/registration', 'Settings'],
    ['/settings/instance', 'Settings'],
    ['/config', 'Configuration'],
    ['/config/history', 'Configuration history'],
    ['/account', 'Account'],
    ['/no-such-page', 'Page not found'],
  ];
  for (const [path, heading] of pages) {
    test(`page ${path}`, async ({ page }, testInfo) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await checkPage(page, path, testInfo);
    });
  }

  test('a report and the account it is about', async ({ page }, testInfo) => {
    const { report, user } = await firstReport(page);
    await page.goto(report);
    await expect(page.getByRole('heading', { name: /^Report #\d+$/ })).toBeVisible();
    await checkPage(page, report, testInfo);
    await page.goto(user);
    await expect(page.getByRole('heading', { level: 1, name: /^@/ })).toBeVisible();
    await checkPage(page, user, testInfo);
  });

  test('a row\'s tick box is a full-height hit area', async ({ page }) => {
    // Tapping near the bottom of the strip, far from the box itself, ticks it.
    const tickFromStripBottom = async (row: ReturnType<Page['locator']>) => {
      const label = row.locator('label:has(input[type=checkbox])');
      const box = label.getByRole('checkbox');
      const [rowBox, labelBox] = [await row.boundingBox(), await label.boundingBox()];
      expect(rowBox && labelBox).toBeTruthy();
      expect(labelBox!.height, 'the label spans the row').toBeGreaterThanOrEqual(rowBox!.height - 2);
      await expect(box).not.toBeChecked();
      await label.click({ position: { x: labelBox!.width / 2, y: labelBox!.height - 6 } });
      await expect(box).toBeChecked();
    };

    await page.goto('/reports');
    await tickFromStripBottom(page.getByTestId('report-row').first());

    // On wide screens /users is a table whose tick box cell is 44×44; below
    // 768 px each row is a card with a full-height strip.
    if (isPhone(page)) {
      await page.goto('/users');
      await tickFromStripBottom(page.locator('[data-user-row]').first());
    }
  });

  test('open disclosures: the phone menu, the filter panel and saved views', async ({ page }, testInfo) => {
    if (isPhone(page)) {
      await page.goto('/reports');
      // Hydration sets the menu's `open` property, so open it afterwards.
      await settle(page, testInfo);
      await openPhoneMenu(page);
      await checkPage(page, '/reports with the phone menu open', testInfo);
    }
    await page.goto('/users');
    await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
    await settle(page, testInfo);
    await page.locator('summary').filter({ hasText: 'Filters and sorting' }).click();
    await expect(page.getByTestId('filter-panel')).toBeVisible();
    await checkPage(page, '/users with the filter panel open', testInfo);

    await page.goto('/users');
    await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
    await settle(page, testInfo);
    await page.locator('summary').filter({ hasText: 'Saved views' }).click();
    await expect(page.getByLabel('Save this filter as')).toBeVisible();
    await checkPage(page, '/users with saved views open', testInfo);
  });
});
