// Content moderation in all three projects (desktop with and without
// JavaScript, 375 px phone): the moderator's journey through the inbox and a
// report with several actions confirmed at once, the phone's four taps, bulk
// resolve of a spam wave, media blurred until tapped, the dashboard's charts
// and an admin's logged godmode. One seeded server per project for the file;
// each test picks reports that are still open, so the order of tests does not matter.

import { test, expect, ADMIN, signIn, flash, logMessages, type Page } from './fixtures';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 80, stewardSeedContent: { statuses: 300, reports: 120 } });

/** Ids of the open reports listed on the inbox's first page, newest first. */
async function openReportIds(page: Page): Promise<number[]> {
  await page.goto('/reports');
  const ids = await page.getByTestId('report-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-report-id'))));
  expect(ids.length).toBeGreaterThan(3);
  return ids;
}

async function noHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('a moderator marks a status sensitive, deactivates the account and resolves with a note in one confirmed step', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  // A report with a live status that is not yet sensitive, against an active account.
  let chosen = 0;
  for (const id of await openReportIds(page)) {
    await page.goto(`/reports/${id}`);
    const actions = page.getByTestId('actions');
    if ((await actions.getByLabel('Mark sensitive').count()) > 0 && (await actions.getByLabel(/^Deactivate @/).count()) > 0) {
      chosen = id;
      break;
    }
  }
  expect(chosen).toBeGreaterThan(0);
  const actions = page.getByTestId('actions');
  const statusId = await actions.getByTestId('status').first().getAttribute('data-status-id');
  const account = (await actions.getByLabel(/^Deactivate @/).locator('xpath=..').innerText()).replace('Deactivate @', '').trim();
  await actions.getByLabel('Mark sensitive').first().check();
  await actions.getByLabel(/^Deactivate @/).check();
  await actions.getByRole('radio', { name: 'Resolve' }).check();
  await page.locator('#act-note').fill('Spam wave, handled in e2e');
  await actions.getByRole('button', { name: 'Review actions' }).click();

  const plan = page.getByTestId('confirm-plan');
  await expect(plan).toBeVisible();
  await expect(plan).toContainText(`Mark status #${statusId} sensitive`);
  await expect(plan).toContainText(`Deactivate @${account}`);
  await expect(plan).toContainText('Resolve the report');
  await plan.getByRole('button', { name: 'Confirm' }).click();

  // On to the next open report, with what was done.
  await expect(page).toHaveURL((url) => /^\/reports\/\d+$/.test(url.pathname) && url.pathname !== `/reports/${chosen}`);
  await expect(flash(page, `Done on report #${chosen}`)).toBeVisible();

  await page.goto(`/reports/${chosen}`);
  await expect(page.getByTestId('report-badges')).toContainText('resolved');
  await expect(page.getByTestId('notes')).toContainText('Spam wave, handled in e2e');

  await page.goto('/moderation-log');
  const log = (await logMessages(page)).join('\n');
  expect(log).toContain(`updated status #${statusId} by @${account}, set sensitive: 'true'`);
  expect(log).toContain(`deactivated users: @${account}`);
  expect(log).toContain(`added a note to report #${chosen}`);
  expect(log).toContain(`updated report #${chosen} (on user @${account}) with 'resolved' state`);
});

test('from the dashboard to a resolved report with a note in four taps', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await noHorizontalScroll(page);
  let taps = 0;
  const tap = async (target: ReturnType<Page['locator']>) => {
    taps += 1;
    await target.click();
  };
  await tap(page.getByTestId('open-reports'));
  await expect(page).toHaveURL((url) => url.pathname === '/reports');
  await noHorizontalScroll(page);
  const first = page.getByTestId('report-row').first();
  const id = await first.getAttribute('data-report-id');
  await tap(first.getByRole('link'));
  await expect(page).toHaveURL((url) => url.pathname === `/reports/${id}`);
  await noHorizontalScroll(page);
  await tap(page.locator('#decide-note'));
  await page.keyboard.type('Checked on the phone');
  const resolve = page.getByTestId('decide').getByRole('button', { name: 'Resolve', exact: true });
  expect((await resolve.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await tap(resolve);
  expect(taps).toBeLessThanOrEqual(4);
  await expect(flash(page, `Report #${id} resolved.`)).toBeVisible();
  await page.goto(`/reports/${id}`);
  await expect(page.getByTestId('report-badges')).toContainText('resolved');
  await expect(page.getByTestId('notes')).toContainText('Checked on the phone');
  await page.goto('/statuses');
  await noHorizontalScroll(page);
});

test('a spam wave is resolved from the inbox with one note', async ({ page }) => {
  await signIn(page, ADMIN);
  const ids = (await openReportIds(page)).slice(0, 3);
  const resolvedTab = page.getByTestId('state-tabs').getByRole('link', { name: /^Resolved \d+$/ });
  const before = Number((await resolvedTab.innerText()).replace(/\D/g, ''));
  for (const id of ids) await page.getByLabel(`Select report ${id}`, { exact: true }).check();
  await page.getByLabel('Note for every ticked report (optional)').fill('Spam wave of the morning');
  await page.getByRole('button', { name: 'Resolve ticked' }).click();
  await expect(flash(page, `Resolved 3 reports: ${ids.map((i) => `#${i}`).join(', ')}.`)).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === '/reports');
  for (const id of ids) await expect(page.locator(`[data-report-id="${id}"]`)).toHaveCount(0);
  await expect(resolvedTab).toHaveText(`Resolved ${before + 3}`);
  await page.goto(`/reports/${ids[1]}`);
  await expect(page.getByTestId('notes')).toContainText('Spam wave of the morning');
});

test('media stays blurred and grey until tapped', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/statuses');
  const media = page.getByTestId('media').first();
  await media.scrollIntoViewIfNeeded();
  const img = media.locator('img');
  const filter = () => img.evaluate((el) => getComputedStyle(el).filter);
  await expect.poll(filter).toMatch(/blur\(\d+px\).*grayscale\((1|100%)\)/);
  await media.click();
  // Tailwind composes filters: shown means no blur and grayscale(0).
  await expect.poll(filter).toMatch(/^(none|grayscale\(0\))$/);
});

test('the dashboard draws accessible charts with a table behind them', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  const chart = page.getByTestId('chart-reports');
  await expect(chart.getByRole('img', { name: /Reports per day/ })).toBeVisible();
  await chart.getByText('Show as a table').click();
  await expect(chart.locator('tbody tr')).toHaveCount(30);
  const open = (await page.getByTestId('open-reports').innerText()).replace(/\D/g, '');
  const badge = page.getByTestId('open-reports-badge').filter({ visible: true });
  if ((await badge.count()) > 0) await expect(badge).toHaveText(`${open} open`);
  await expect(page.getByTestId('latest-log')).toContainText('@admin signed in');
});

test('private statuses show only under an admin’s logged godmode', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/statuses?visibility=direct');
  await expect(page.getByRole('status').filter({ hasText: 'hidden unless an admin turns on godmode' })).toBeVisible();
  await page.getByRole('button', { name: 'Turn godmode on (logged)' }).click();
  await expect(flash(page, 'Godmode is on')).toBeVisible();
  await page.goto('/statuses?visibility=direct');
  await expect(page.getByTestId('status-list').getByText('direct', { exact: true }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Turn godmode off' }).click();
  await expect(flash(page, 'Godmode is off.')).toBeVisible();
  await page.goto('/moderation-log');
  expect((await logMessages(page)).some((m) => m.includes('viewed private and direct statuses (godmode)'))).toBe(true);
});
