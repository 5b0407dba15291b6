// The user list (`/users`): a plain GET filter form whose URL is the whole
// state, keyset pages both ways, lenient parameters (a bad value is ignored
// with a notice) and a table that becomes cards on phones.
//
// The database holds 600 deterministic demo users (`steward seed --seed 7`)
// besides the admin. Expected rows are read from the page itself, never
// hard-coded from the seed.

import { test, expect, ADMIN, isPhone, signIn, type Page } from './fixtures';
import type { Locator } from '@playwright/test';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 600 });

/** The filter form. */
function filters(page: Page) {
  return page.getByRole('search', { name: 'Filter users' });
}

/** The results table (its caption "Users" is visually hidden). */
function usersTable(page: Page) {
  return page.getByRole('table', { name: 'Users', exact: true });
}

/** The body rows of the results table (cards below 768 px). */
function userRows(page: Page) {
  return usersTable(page).locator('tbody').getByRole('row');
}

/** The "@nickname" line of every row. */
function nicknames(page: Page) {
  return userRows(page).getByText(/^@\S+$/);
}

/** A status, origin, role or tag badge with exactly this text, inside `row`. */
function badge(row: Locator, text: string) {
  return row.getByText(text, { exact: true });
}

function total(page: Page) {
  return page.getByTestId('users-total');
}

/** The "Filters and sorting" disclosure (a `<details>`). */
function filterDetails(page: Page) {
  return filters(page).locator('details').filter({ has: page.locator('summary', { hasText: 'Filters and sorting' }) });
}

async function openUsers(page: Page, path = '/users') {
  const response = await page.goto(path);
  expect(response?.status(), `GET ${path}`).toBe(200);
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(total(page)).toBeVisible();
}

async function signInAndOpenUsers(page: Page, path = '/users') {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/moderation-log');
  await openUsers(page, path);
}

async function nicknameTexts(page: Page): Promise<string[]> {
  return (await nicknames(page).allInnerTexts()).map((t) => t.trim());
}

async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

test('filtering by status and origin is kept in the URL and in history', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page);
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(userRows(page)).toHaveCount(50);
  const unfiltered = await nicknameTexts(page);
  expect(unfiltered).toHaveLength(50);

  // No filter is set: the disclosure starts closed.
  const details = filterDetails(page);
  await expect(details).not.toHaveAttribute('open');
  await details.locator('summary').click();
  await expect(details).toHaveAttribute('open', '');

  // Every filter is a labelled control of the plain GET form.
  const form = filters(page);
  await expect(form.getByLabel('Search', { exact: true })).toHaveValue('');
  for (const label of ['Role', 'Email domain', 'Joined on or after', 'Joined before']) {
    await expect(form.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(form.getByLabel('Sort', { exact: true })).toHaveValue('-created_at');
  await expect(form.getByLabel('Per page', { exact: true })).toHaveValue('50');
  const tags = form.getByRole('group', { name: 'Tags (any of)' });
  for (const tag of ['vip', 'beta']) {
    await expect(tags.getByRole('checkbox', { name: tag, exact: true })).not.toBeChecked();
  }
  await expect(form.getByRole('link', { name: 'Clear', exact: true })).toHaveAttribute('href', '/users');

  await form.getByLabel('Status', { exact: true }).selectOption('deactivated');
  await form.getByLabel('Origin', { exact: true }).selectOption('local');
  await form.getByRole('button', { name: 'Apply filters', exact: true }).click();

  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(page).toHaveURL(
    (url) =>
      url.pathname === '/users' &&
      url.searchParams.get('status') === 'deactivated' &&
      url.searchParams.get('origin') === 'local',
  );
  // Wait for the filtered rows (with JavaScript the old ones may linger briefly).
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  const rows = userRows(page);
  await expect(rows.filter({ hasNot: page.getByText('deactivated', { exact: true }) })).toHaveCount(0);
  const count = await rows.count();
  expect(count, 'some local accounts are deactivated').toBeGreaterThan(0);
  expect(count).toBeLessThanOrEqual(50);
  await expect(total(page)).toHaveText(count === 1 ? '1 user' : `${count} users`);
  for (const row of await rows.all()) {
    await expect(badge(row, 'deactivated')).toBeVisible();
    await expect(badge(row, 'external')).toHaveCount(0);
  }
  const filtered = await nicknameTexts(page);
  expect(filtered).toHaveLength(count);
  // Local accounts have plain nicknames (remote ones are nick@host).
  for (const nick of filtered) expect(nick).toMatch(/^@[^@]+$/);

  // The form shows the filters it applied, and stays open.
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('local');
  await expect(details).toHaveAttribute('open', '');

  // The URL is the whole state: a reload shows the same rows.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(userRows(page)).toHaveCount(count);
  expect(await nicknameTexts(page)).toEqual(filtered);
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('local');
  await expect(details).toHaveAttribute('open', '');

  // Back returns to the whole list, forward to the filtered one.
  await page.goBack();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(userRows(page)).toHaveCount(50);
  expect(await nicknameTexts(page)).toEqual(unfiltered);

  await page.goForward();
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(total(page)).toHaveText(count === 1 ? '1 user' : `${count} users`);
  await expect(userRows(page)).toHaveCount(count);
  expect(await nicknameTexts(page)).toEqual(filtered);
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('local');

  expect(pageErrors).toEqual([]);
});

test('after going back, the form shows the filters of the list it shows', async ({ page }) => {
  await signInAndOpenUsers(page);
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  const unfiltered = await nicknameTexts(page);

  const form = filters(page);
  await filterDetails(page).locator('summary').click();
  await form.getByLabel('Status', { exact: true }).selectOption('deactivated');
  await form.getByLabel('Origin', { exact: true }).selectOption('local');
  await form.getByRole('button', { name: 'Apply filters', exact: true }).click();
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(total(page)).toHaveText(/^\d+ users?$/);

  await page.goBack();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  expect(await nicknameTexts(page)).toEqual(unfiltered);
  // The list is unfiltered, so the form must say so: otherwise a plain
  // "Search" from here silently applies the hidden Status and Origin again.
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('');
});

test('a bookmarked search opens directly: query, sort and page size', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page, '/users?q=john&sort=nickname&per_page=10');

  const form = filters(page);
  await expect(form.getByLabel('Search', { exact: true })).toHaveValue('john');
  await expect(form.getByLabel('Sort', { exact: true })).toHaveValue('nickname');
  await expect(form.getByLabel('Per page', { exact: true })).toHaveValue('10');
  await expect(total(page)).toHaveText(/^\d+ users?$/);

  const rows = userRows(page);
  const count = await rows.count();
  expect(count, 'someone matches "john"').toBeGreaterThan(0);
  expect(count).toBeLessThanOrEqual(10);
  for (const text of await rows.allInnerTexts()) {
    expect(text.toLowerCase()).toContain('john');
  }
  const nicks = (await nicknameTexts(page)).map((n) => n.slice(1).toLowerCase());
  expect(nicks).toHaveLength(count);
  expect(nicks).toEqual([...nicks].sort());

  expect(pageErrors).toEqual([]);
});

test('paging: next shows other rows, previous returns to the first ones', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page, '/users?per_page=10');
  const pages = page.getByRole('navigation', { name: 'Pages' });
  const next = pages.getByRole('link', { name: 'Next →', exact: true });
  const prev = pages.getByRole('link', { name: '← Previous', exact: true });

  await expect(userRows(page)).toHaveCount(10);
  const first = await nicknameTexts(page);
  expect(new Set(first).size).toBe(10);
  await expect(prev).toHaveCount(0);
  await expect(next).toHaveAttribute('rel', 'next');

  await next.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.searchParams.has('after'));
  await expect(page).toHaveURL((url) => url.searchParams.get('per_page') === '10');
  // With JavaScript the router swaps the rows in place: wait for the new ones.
  await expect(nicknames(page).first()).not.toHaveText(first[0]);
  await expect(userRows(page)).toHaveCount(10);
  const second = await nicknameTexts(page);
  expect(new Set(second).size).toBe(10);
  expect(second.filter((n) => first.includes(n)), 'rows on both pages').toEqual([]);
  await expect(prev).toHaveAttribute('rel', 'prev');
  await expect(next).toBeVisible();

  await prev.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.searchParams.has('before'));
  await expect(nicknames(page).first()).toHaveText(first[0]);
  await expect(userRows(page)).toHaveCount(10);
  expect(await nicknameTexts(page)).toEqual(first);
  // Back on the first page: nothing before it.
  await expect(prev).toHaveCount(0);
  await expect(next).toBeVisible();

  expect(pageErrors).toEqual([]);
});

test('bad parameters are ignored with a notice', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page);
  const notice = (text: string) => page.getByRole('status').filter({ hasText: text });

  await openUsers(page, '/users?status=bogus');
  await expect(notice('Ignored status=')).toBeVisible();
  await expect(filters(page).getByLabel('Status', { exact: true })).toHaveValue('');
  await expect(userRows(page)).toHaveCount(50);

  await openUsers(page, '/users?per_page=5000');
  await expect(notice('Ignored per_page=')).toBeVisible();
  await expect(filters(page).getByLabel('Per page', { exact: true })).toHaveValue('50');
  await expect(userRows(page)).toHaveCount(50);

  await openUsers(page, '/users?after=garbage');
  await expect(notice('Ignored after')).toBeVisible();
  await expect(userRows(page)).toHaveCount(50);

  await openUsers(page, '/users?created_after=garbage&sort=sideways');
  await expect(notice('Ignored created_after=')).toBeVisible();
  await expect(notice('Ignored sort=')).toBeVisible();
  await expect(filters(page).getByLabel('Sort', { exact: true })).toHaveValue('-created_at');
  await expect(userRows(page)).toHaveCount(50);

  // All at once: every notice, and the whole (unfiltered) first page.
  await openUsers(page, '/users?status=bogus&per_page=5000&after=garbage');
  const all = page.getByRole('status').filter({ hasText: 'Ignored status=' });
  await expect(all).toContainText('Ignored per_page=');
  await expect(all).toContainText('Ignored after');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(userRows(page)).toHaveCount(50);

  // A clean URL has no notice.
  await openUsers(page, '/users');
  await expect(page.getByRole('status').filter({ hasText: 'Ignored' })).toHaveCount(0);

  expect(pageErrors).toEqual([]);
});

test('a table on desktop, cards without sideways scrolling on phones', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page);
  const table = usersTable(page);
  await expect(userRows(page).first()).toBeVisible();
  await expect(userRows(page)).toHaveCount(50);

  if (isPhone(page)) {
    await expect(table.locator('thead')).toBeHidden();
    await expect(table.getByRole('columnheader')).toHaveCount(0);
    // Each card still says what its dates are.
    await expect(userRows(page).first()).toContainText('Joined');
    await expect(userRows(page).first()).toContainText('Last active');
    // A card spans the content width instead of being squeezed into columns.
    const cardBox = await userRows(page).first().boundingBox();
    expect(cardBox).not.toBeNull();
    expect(cardBox!.width).toBeGreaterThan(250);
  } else {
    await expect(table.locator('thead')).toBeVisible();
    for (const name of ['User', 'Status', 'Role and tags', 'Joined', 'Last active']) {
      await expect(table.getByRole('columnheader', { name, exact: true })).toBeVisible();
    }
  }
  await expectNoHorizontalScroll(page);

  // Also with the filters open and long remote nicknames on the page.
  await openUsers(page, '/users?origin=external&sort=-nickname');
  await expect(filterDetails(page)).toHaveAttribute('open', '');
  await expect(userRows(page).first()).toBeVisible();
  await expect(userRows(page).filter({ hasNot: page.getByText('external', { exact: true }) })).toHaveCount(0);
  await expectNoHorizontalScroll(page);
  if (isPhone(page)) await expect(usersTable(page).locator('thead')).toBeHidden();
  else await expect(usersTable(page).locator('thead')).toBeVisible();

  expect(pageErrors).toEqual([]);
});
