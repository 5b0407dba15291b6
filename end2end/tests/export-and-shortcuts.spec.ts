// The user list's power tools: the CSV export of the current filter, keyboard
// shortcuts (hydrated pages only: without JavaScript the keys do nothing),
// and a bulk action on every user matching the filter after confirming the
// count. Expectations are read from the page, never from the seed.

import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { test, expect, ADMIN, flash, isPhone, logMessages, signIn, usersHydrated, type Page } from './fixtures';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 300 });

const CSV_HEADER = [
  'id',
  'nickname',
  'email',
  'display_name',
  'role',
  'local',
  'active',
  'approved',
  'confirmed',
  'tags',
  'created_at',
  'last_active_at',
  'actor_type',
];

function total(page: Page) {
  return page.getByTestId('users-total');
}

function rows(page: Page) {
  return page.getByRole('table', { name: 'Users', exact: true }).locator('tbody').getByRole('row');
}

function rowsWith(page: Page, badge: string) {
  return rows(page).filter({ has: page.getByText(badge, { exact: true }) });
}

async function openList(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), `GET ${path}`).toBe(200);
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(total(page)).toBeVisible();
}

/** The exact total ("N users") of the list shown. */
async function exactTotal(page: Page): Promise<number> {
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  return parseInt((await total(page).innerText()).trim(), 10);
}

async function nicknameTexts(page: Page): Promise<string[]> {
  return (await rows(page).getByText(/^@\S+$/).allInnerTexts()).map((t) => t.trim());
}


/** A CSV cell as the page shows it: the export's leading apostrophe against formulas removed. */
function unguarded(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

test('the CSV export holds exactly the users of the filter', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await openList(page, '/users?status=deactivated');
  // A filtered total up to 1000 is exact.
  const count = await exactTotal(page);
  expect(count, 'some accounts are deactivated').toBeGreaterThan(0);
  const shown = await nicknameTexts(page);
  expect(shown.length).toBe(Math.min(count, 50));

  const link = page.getByTestId('export-csv');
  await expect(link).toHaveText('Export CSV');
  await expect(link).toHaveAttribute('href', '/users/export.csv?status=deactivated');
  await expect(link).toHaveAttribute('download', '');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(await download.failure()).toBeNull();
  const text = fs.readFileSync(await download.path(), 'utf8');
  const [header, ...records]: string[][] = parse(text);

  expect(header).toEqual(CSV_HEADER);
  expect(records, 'one record per user of the filter').toHaveLength(count);
  const col = (name: string) => CSV_HEADER.indexOf(name);
  for (const r of records) {
    expect(r, `record ${r[0]} has every column`).toHaveLength(CSV_HEADER.length);
    expect(r[col('active')], `@${r[col('nickname')]} is deactivated`).toBe('false');
    expect(r[col('id')]).toMatch(/^\d+$/);
    expect(['true', 'false']).toContain(r[col('local')]);
    expect(r[col('created_at')]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  }
  expect(new Set(records.map((r) => r[col('id')])).size, 'no user twice').toBe(count);
  // Same order as the list (newest first): its first page starts the file.
  expect(records.slice(0, shown.length).map((r) => `@${unguarded(r[col('nickname')])}`)).toEqual(shown);

  // The page is still the list (a download, not a navigation), and the export is logged.
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated');
  await page.goto('/moderation-log');
  expect((await logMessages(page))[0]).toBe(`@${ADMIN.nickname} exported users matching status=deactivated as CSV`);
});

test('keyboard shortcuts move through the list with JavaScript, and do nothing without', async ({
  page,
  javaScriptEnabled,
  pageErrors,
}) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await openList(page, '/users?per_page=10');
  const path = new URL(page.url()).pathname + new URL(page.url()).search;
  const button = page.getByRole('button', { name: 'Keyboard shortcuts', exact: true });
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
  const search = page.getByRole('search', { name: 'Filter users' }).getByLabel('Search', { exact: true });
  const listRows = page.locator('tr[data-user-row]');
  const current = page.locator('tr[data-user-row][data-current]');
  await expect(listRows).toHaveCount(10);
  await expect(search).toHaveAttribute('aria-keyshortcuts', '/');

  if (!javaScriptEnabled) {
    // No JavaScript, no shortcuts: no button, and the keys change nothing.
    await expect(button).toBeHidden();
    for (const key of ['/', 'j', 'j', 'x', '?', 'o']) await page.keyboard.press(key);
    await expect(search).not.toBeFocused();
    await expect(search).toHaveValue('');
    await expect(current).toHaveCount(0);
    await expect(page.getByRole('checkbox', { checked: true })).toHaveCount(0);
    await expect(help).toBeHidden();
    await expect(page).toHaveURL((url) => url.pathname + url.search === path);
    return;
  }

  await usersHydrated(page);
  // The button is for wide screens; on a phone the keys still work (a keyboard may be attached).
  if (isPhone(page)) await expect(button).toBeHidden();
  else await expect(button).toBeVisible();

  // "/" jumps to the search box.
  await expect(search).not.toBeFocused();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await search.blur();

  // "j" and "k" move the current row; its link takes the focus.
  const expectCurrent = async (i: number) => {
    await expect(current).toHaveCount(1);
    await expect(listRows.nth(i)).toHaveAttribute('data-current', '');
    await expect(listRows.nth(i).getByRole('link')).toBeFocused();
  };
  await expect(current).toHaveCount(0);
  await page.keyboard.press('j');
  await expectCurrent(0);
  await page.keyboard.press('j');
  await expectCurrent(1);
  await page.keyboard.press('k');
  await expectCurrent(0);

  // "x" ticks and unticks the current row only.
  const box = (i: number) => listRows.nth(i).getByRole('checkbox');
  await page.keyboard.press('x');
  await expect(box(0)).toBeChecked();
  await expect(page.getByRole('checkbox', { checked: true })).toHaveCount(1);
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(box(1)).toBeChecked();
  await page.keyboard.press('x');
  await expect(box(1)).not.toBeChecked();
  await expect(box(0)).toBeChecked();
  await page.keyboard.press('k');
  await expectCurrent(0);

  // "?" opens the help; "Close" closes it.
  await expect(help).toBeHidden();
  await page.keyboard.press('?');
  await expect(help).toBeVisible();
  await expect(help).toContainText('Next user');
  await help.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(help).toBeHidden();
  if (!isPhone(page)) {
    await button.click();
    await expect(help).toBeVisible();
    await help.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(help).toBeHidden();
  }

  // "o" opens the current user.
  await listRows.nth(0).getByRole('link').focus();
  await expectCurrent(0);
  const nickname = (await listRows.nth(0).getByRole('link').innerText()).trim();
  const href = await listRows.nth(0).getByRole('link').getAttribute('href');
  await page.keyboard.press('o');
  await expect(page).toHaveURL((url) => url.pathname === href);
  await expect(page.getByRole('heading', { level: 1, name: nickname, exact: true })).toBeVisible();

  expect(pageErrors).toEqual([]);
});

/**
 * A filter that deactivating does not change (an email domain) with a few
 * users (at most 20, so the log entry names them all), at least one of them
 * active and none the signed-in admin.
 */
async function smallDomainFilter(page: Page): Promise<{ path: string; count: number }> {
  await openList(page, '/users?origin=local&per_page=200');
  const text = (await rows(page).allInnerTexts()).join('\n');
  const tally = new Map<string, number>();
  for (const m of text.matchAll(/[\w.+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi)) {
    const domain = m[1].toLowerCase();
    tally.set(domain, (tally.get(domain) ?? 0) + 1);
  }
  const candidates = [...tally].sort((a, b) => a[1] - b[1]).map(([d]) => d);
  for (const domain of candidates.slice(0, 8)) {
    const path = `/users?domain=${encodeURIComponent(domain)}`;
    await openList(page, path);
    const count = await exactTotal(page);
    if (count < 2 || count > 20) continue;
    if ((await nicknameTexts(page)).includes(`@${ADMIN.nickname}`)) continue;
    if ((await rowsWith(page, 'active').count()) === 0) continue;
    return { path, count };
  }
  throw new Error(`no email domain with 2 to 20 users among ${candidates.join(', ')}`);
}

test('a bulk action on every user matching the filter asks to confirm the count', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  const { path, count } = await smallDomainFilter(page);
  const deactivatedPath = `${path}&status=deactivated`;
  await openList(page, deactivatedPath);
  const deactivatedBefore = await exactTotal(page);
  expect(deactivatedBefore).toBeLessThan(count);

  const bulkForm = page.getByRole('form', { name: 'Bulk actions' });
  const confirmPanel = page.getByRole('alertdialog', { name: `Deactivate: all ${count} users matching this filter?` });
  const askToDeactivateAll = async () => {
    await openList(page, path);
    await bulkForm.getByLabel('Action', { exact: true }).selectOption('deactivate');
    const scope = bulkForm.getByRole('radiogroup', { name: 'Apply to' });
    await expect(scope.getByRole('radio', { name: 'The users ticked below', exact: true })).toBeChecked();
    const all = scope.getByRole('radio', { name: /^All users matching this filter/ });
    await expect(all).toHaveAccessibleName(`All users matching this filter (${count} users); you confirm the count next`);
    await all.check();
    await bulkForm.getByRole('button', { name: 'Apply action', exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname + url.search === path);
    await expect(confirmPanel).toBeVisible();
  };

  // First ask, then cancel: nothing changes.
  await askToDeactivateAll();
  await expect(rowsWith(page, 'deactivated')).toHaveCount(deactivatedBefore);
  const cancel = confirmPanel.getByRole('link', { name: 'Cancel', exact: true });
  await expect(cancel).toHaveAttribute('href', path);
  await cancel.click();
  await expect(confirmPanel).toHaveCount(0);
  await expect(page).toHaveURL((url) => url.pathname + url.search === path);
  await expect(rowsWith(page, 'deactivated')).toHaveCount(deactivatedBefore);

  // Ask again and confirm the count.
  await askToDeactivateAll();
  await confirmPanel.getByRole('button', { name: `Yes, deactivate ${count} users`, exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname + url.search === path);
  await expect(flash(page, 'You deactivated users:')).toBeVisible();
  await expect(confirmPanel).toHaveCount(0);
  // The filter still matches the same users, now every one deactivated…
  await expect(total(page)).toHaveText(`${count} users`);
  await expect(rowsWith(page, 'deactivated')).toHaveCount(count);
  const names = await nicknameTexts(page);
  // …and the deactivated ones of that filter are exactly them.
  await openList(page, deactivatedPath);
  await expect(total(page)).toHaveText(`${count} users`);
  expect(await nicknameTexts(page)).toEqual(names);

  // One log entry for the lot.
  await page.goto('/moderation-log?action=user.deactivate');
  const entries = page.getByRole('list', { name: 'Log entries' }).getByRole('listitem');
  await expect(entries).toHaveCount(1);
  for (const nick of names) await expect(entries).toContainText(nick);
});
