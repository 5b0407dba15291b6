// The user list (`/users`): a filter form whose URL is the whole state (a
// plain GET form without JavaScript; hydrated, it applies itself as you type
// or change a control, by client-side navigation), active filters as
// removable chips, keyset pages both ways, lenient parameters (a bad value is
// ignored with a notice) and a table that becomes cards on phones, where the
// open filter panel is a bottom sheet.
//
// The database holds 600 deterministic demo users (`steward seed --seed 7`)
// besides the admin. Expected rows are read from the page itself, never
// hard-coded from the seed.

import { test, expect, ADMIN, isPhone, signIn, usersHydrated, type Page } from './fixtures';
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

/** Its summary: "Filters and sorting", or "Filters and sorting (N active)". */
function filterSummary(page: Page) {
  return filterDetails(page).locator('summary');
}

/** The chips of the active filters. */
function activeFilters(page: Page) {
  return filters(page).getByRole('list', { name: 'Active filters', exact: true });
}

/** The chip that removes one filter, e.g. `chip(page, 'Status: deactivated')`. */
function chip(page: Page, labelAndValue: string) {
  return activeFilters(page).getByRole('link', { name: `Remove filter ${labelAndValue}`, exact: true });
}

/** The query parameters of a link's `href`. */
async function hrefParams(link: Locator): Promise<URLSearchParams> {
  const href = await link.getAttribute('href');
  expect(href, 'the link has an href').not.toBeNull();
  const url = new URL(href!, 'http://x');
  expect(url.pathname).toBe('/users');
  return url.searchParams;
}

/** The parameters that are set (non-empty), as `key=value` strings in URL order. */
function setParams(params: URLSearchParams): string[] {
  return [...params].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`);
}

async function openUsers(page: Page, path = '/users') {
  const response = await page.goto(path);
  expect(response?.status(), `GET ${path}`).toBe(200);
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(total(page)).toBeVisible();
}

async function signInAndOpenUsers(page: Page, path = '/users') {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
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

/** "N users" / "1 user" for an exact count. */
function usersText(count: number): string {
  return count === 1 ? '1 user' : `${count} users`;
}

/**
 * Marks the current document; `documentKept` tells whether the page is still
 * the same document (client-side navigation) or was loaded anew.
 */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __marker?: string }).__marker = 'same document';
  });
}
async function documentKept(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __marker?: string }).__marker === 'same document');
}

/** With the panel open: a bottom sheet over the list on phones, in the flow on desktop. */
async function expectPanelLayout(page: Page) {
  const panel = filters(page).getByTestId('filter-panel');
  await expect(panel).toBeVisible();
  const position = await panel.evaluate((el) => getComputedStyle(el).position);
  const box = await panel.boundingBox();
  expect(box).not.toBeNull();
  const viewport = page.viewportSize()!;
  if (isPhone(page)) {
    expect(position, 'the phone panel is fixed to the screen').toBe('fixed');
    expect(Math.abs(box!.y + box!.height - viewport.height), 'the sheet sits on the bottom edge').toBeLessThanOrEqual(1);
    expect(Math.round(box!.width), 'the sheet spans the screen').toBe(viewport.width);
  } else {
    expect(position, 'the desktop panel is part of the form').toBe('static');
  }
}

/** The rows with and without the "deactivated" badge. */
async function expectAllDeactivated(page: Page) {
  await expect(userRows(page).filter({ hasNot: page.getByText('deactivated', { exact: true }) })).toHaveCount(0);
}

test('filtering by status and origin is kept in the URL and in history', async ({ page, pageErrors, javaScriptEnabled }) => {
  await signInAndOpenUsers(page);
  if (javaScriptEnabled) await usersHydrated(page);
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(userRows(page)).toHaveCount(50);
  const unfiltered = await nicknameTexts(page);
  expect(unfiltered).toHaveLength(50);

  // No filter is set: no chips, no count, and the disclosure starts closed.
  const details = filterDetails(page);
  await expect(activeFilters(page)).toHaveCount(0);
  await expect(filterSummary(page)).toHaveText('Filters and sorting');
  await expect(details).not.toHaveAttribute('open');
  await filterSummary(page).click();
  await expect(details).toHaveAttribute('open', '');
  await expectPanelLayout(page);

  // Every filter is a labelled control of the form.
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

  // Hydrated, a changed select applies at once, client-side and without the
  // defaults in the URL; without JavaScript nothing happens until submitted.
  await markDocument(page);
  await form.getByLabel('Status', { exact: true }).selectOption('deactivated');
  if (javaScriptEnabled) {
    await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated');
    await expect(total(page)).toHaveText(/^\d+ users?$/);
  } else {
    await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  }
  await form.getByLabel('Origin', { exact: true }).selectOption('local');
  if (javaScriptEnabled) {
    await expect(page).toHaveURL((url) => url.search === '?status=deactivated&origin=local');
  } else {
    await expect(total(page)).toHaveText(/^about \d+ users$/);
  }
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
  await expectAllDeactivated(page);
  const count = await rows.count();
  expect(count, 'some local accounts are deactivated').toBeGreaterThan(0);
  expect(count).toBeLessThanOrEqual(50);
  await expect(total(page)).toHaveText(usersText(count));
  for (const row of await rows.all()) {
    await expect(badge(row, 'deactivated')).toBeVisible();
    await expect(badge(row, 'external')).toHaveCount(0);
  }
  const filtered = await nicknameTexts(page);
  expect(filtered).toHaveLength(count);
  // Local accounts have plain nicknames (remote ones are nick@host).
  for (const nick of filtered) expect(nick).toMatch(/^@[^@]+$/);
  // Client-side with JavaScript (the document survives), a page load without.
  expect(await documentKept(page), 'the same document after filtering').toBe(javaScriptEnabled);

  // The form shows the filters it applied; the panel is closed and the
  // active filters are chips (each a link to the list without it).
  const expectFiltersShown = async () => {
    await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
    await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('local');
    await expect(details).not.toHaveAttribute('open');
    await expect(filterSummary(page)).toHaveText('Filters and sorting (2 active)');
    await expect(activeFilters(page).getByRole('link')).toHaveCount(2);
    await expect(chip(page, 'Status: deactivated')).toBeVisible();
    await expect(chip(page, 'Origin: local')).toBeVisible();
    expect(setParams(await hrefParams(chip(page, 'Status: deactivated')))).not.toContain('status=deactivated');
    expect(setParams(await hrefParams(chip(page, 'Status: deactivated')))).toContain('origin=local');
    expect(setParams(await hrefParams(chip(page, 'Origin: local')))).toContain('status=deactivated');
    expect(setParams(await hrefParams(chip(page, 'Origin: local')))).not.toContain('origin=local');
  };
  await expectFiltersShown();

  // The URL is the whole state: a reload shows the same rows.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(userRows(page)).toHaveCount(count);
  expect(await nicknameTexts(page)).toEqual(filtered);
  await expectFiltersShown();

  // Back returns to the whole list, forward to the filtered one. Hydrated,
  // each applied change was a step of its own: Status first, then Origin.
  await page.goBack();
  if (javaScriptEnabled) {
    await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated');
    await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
    await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('');
    await expect(filterSummary(page)).toHaveText('Filters and sorting (1 active)');
    await expect(total(page)).toHaveText(/^\d+ users?$/);
    await expect(total(page)).not.toHaveText(usersText(count));
    await expectAllDeactivated(page);
    await page.goBack();
  }
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(userRows(page)).toHaveCount(50);
  expect(await nicknameTexts(page)).toEqual(unfiltered);
  await expect(activeFilters(page)).toHaveCount(0);
  await expect(filterSummary(page)).toHaveText('Filters and sorting');

  await page.goForward();
  if (javaScriptEnabled) {
    await expect(page).toHaveURL((url) => url.search === '?status=deactivated');
    await page.goForward();
  }
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(total(page)).toHaveText(usersText(count));
  await expect(userRows(page)).toHaveCount(count);
  expect(await nicknameTexts(page)).toEqual(filtered);
  await expectFiltersShown();

  expect(pageErrors).toEqual([]);
});

test('after going back, the form shows the filters of the list it shows', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenUsers(page);
  if (javaScriptEnabled) await usersHydrated(page);
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  const unfiltered = await nicknameTexts(page);

  const form = filters(page);
  await filterSummary(page).click();
  await form.getByLabel('Status', { exact: true }).selectOption('deactivated');
  await form.getByLabel('Origin', { exact: true }).selectOption('local');
  await form.getByRole('button', { name: 'Apply filters', exact: true }).click();
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(total(page)).toHaveText(/^\d+ users?$/);

  await page.goBack();
  if (javaScriptEnabled) {
    // Hydrated, Status applied on its own first: that list, and only its filter.
    await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated');
    await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
    await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('');
    await expectAllDeactivated(page);
    await page.goBack();
  }
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  expect(await nicknameTexts(page)).toEqual(unfiltered);
  // The list is unfiltered, so the form must say so: otherwise a plain
  // "Search" from here silently applies the hidden Status and Origin again.
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('');
  await expect(activeFilters(page)).toHaveCount(0);

  // And forward again: the filtered list, and the form with its filters.
  await page.goForward();
  if (javaScriptEnabled) {
    await expect(page).toHaveURL((url) => url.search === '?status=deactivated');
    await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
    await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('');
    await page.goForward();
  }
  await expect(page).toHaveURL(/status=deactivated&origin=local/);
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  await expectAllDeactivated(page);
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('deactivated');
  await expect(form.getByLabel('Origin', { exact: true })).toHaveValue('local');
  await expect(filterSummary(page)).toHaveText('Filters and sorting (2 active)');
});

test('the search applies as you type with JavaScript, and on submit without', async ({ page, pageErrors, javaScriptEnabled }) => {
  // A term from the data: a local nickname from the middle of the first page.
  await signInAndOpenUsers(page, '/users?origin=local&sort=nickname');
  const local = (await nicknameTexts(page)).filter((n) => /^@[a-z0-9_.-]+$/i.test(n));
  expect(local.length, 'plain local nicknames on the page').toBeGreaterThan(20);
  const term = local[20].slice(1);

  // What the search must show: the same search opened as a bookmark.
  await openUsers(page, `/users?q=${encodeURIComponent(term)}`);
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  const expectedTotal = (await total(page).innerText()).trim();
  const expected = await nicknameTexts(page);
  expect(expected).toContain(`@${term}`);

  await openUsers(page, '/users');
  if (javaScriptEnabled) await usersHydrated(page);
  const unfiltered = await nicknameTexts(page);
  expect(unfiltered).not.toEqual(expected);
  await markDocument(page);
  const historyBefore = await page.evaluate(() => history.length);
  const search = filters(page).getByLabel('Search', { exact: true });
  await search.click();
  // Key by key, faster than the pause that applies it.
  await search.pressSequentially(term, { delay: 40 });

  if (javaScriptEnabled) {
    // The URL and the rows follow after a short pause, client-side.
    await expect(page).toHaveURL((url) => url.pathname === '/users' && setParams(url.searchParams).join('&') === `q=${term}`);
    await expect(total(page)).toHaveText(expectedTotal);
    await expect(nicknames(page).first()).toHaveText(expected[0]);
    expect(await nicknameTexts(page)).toEqual(expected);
    expect(await documentKept(page), 'no full page load').toBe(true);
    // The typist keeps the box, its text and the caret.
    await expect(search).toBeFocused();
    await expect(search).toHaveValue(term);
    // One history entry for the whole word, not one per key.
    expect(await page.evaluate(() => history.length)).toBe(historyBefore + 1);
  } else {
    // Typing alone changes nothing without JavaScript…
    await page.waitForTimeout(800);
    await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
    expect(await nicknameTexts(page)).toEqual(unfiltered);
    // …submitting the form reaches the same search, with a page load.
    await search.press('Enter');
    await expect(page).toHaveURL((url) => url.pathname === '/users' && setParams(url.searchParams).includes(`q=${term}`));
    await expect(total(page)).toHaveText(expectedTotal);
    expect(await nicknameTexts(page)).toEqual(expected);
    await expect(search).toHaveValue(term);
    expect(await documentKept(page), 'a new document').toBe(false);
  }
  // Either way it is the bookmarkable URL: the search only, nothing else set.
  expect(setParams(new URL(page.url()).searchParams).filter((p) => !/^(sort=-created_at|per_page=50)$/.test(p))).toEqual([
    `q=${term}`,
  ]);

  expect(pageErrors).toEqual([]);
});

test('active filters show as chips; removing a chip drops that filter', async ({ page, pageErrors }) => {
  await signInAndOpenUsers(page, '/users?status=deactivated&origin=local&sort=nickname');
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  const bothTotal = (await total(page).innerText()).trim();
  await expectAllDeactivated(page);

  // Two filters (the sort is not one): two chips, a count, and a closed panel.
  const details = filterDetails(page);
  await expect(details).not.toHaveAttribute('open');
  await expect(filterSummary(page)).toHaveText('Filters and sorting (2 active)');
  await expect(activeFilters(page).getByRole('link')).toHaveCount(2);
  const status = chip(page, 'Status: deactivated');
  const origin = chip(page, 'Origin: local');
  await expect(status).toBeVisible();
  await expect(origin).toBeVisible();
  expect(setParams(await hrefParams(status))).toEqual(['origin=local', 'sort=nickname']);
  expect(setParams(await hrefParams(origin))).toEqual(['status=deactivated', 'sort=nickname']);

  // Removing Status keeps Origin and the sort.
  await status.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && setParams(url.searchParams).join('&') === 'origin=local&sort=nickname');
  await expect(total(page)).not.toHaveText(bothTotal);
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  await expect(userRows(page).filter({ hasNot: page.getByText('deactivated', { exact: true }) }).first()).toBeVisible();
  await expect(userRows(page).filter({ has: page.getByText('external', { exact: true }) })).toHaveCount(0);
  await expect(filters(page).getByLabel('Status', { exact: true })).toHaveValue('');
  await expect(filters(page).getByLabel('Origin', { exact: true })).toHaveValue('local');
  await expect(filterSummary(page)).toHaveText('Filters and sorting (1 active)');
  await expect(activeFilters(page).getByRole('link')).toHaveCount(1);
  await expect(chip(page, 'Origin: local')).toBeVisible();

  // A search is a chip too, but not counted among the panel's filters.
  const term = (await nicknameTexts(page))[0].slice(1);
  await openUsers(page, `/users?q=${encodeURIComponent(term)}&origin=local`);
  await expect(filterSummary(page)).toHaveText('Filters and sorting (1 active)');
  await expect(activeFilters(page).getByRole('link')).toHaveCount(2);
  const search = chip(page, `Search: ${term}`);
  await expect(search).toBeVisible();
  await chip(page, 'Origin: local').click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && setParams(url.searchParams).join('&') === `q=${term}`);
  await expect(filterSummary(page)).toHaveText('Filters and sorting');
  await expect(activeFilters(page).getByRole('link')).toHaveCount(1);
  await expect(filters(page).getByLabel('Search', { exact: true })).toHaveValue(term);
  await expect(nicknames(page).filter({ hasText: `@${term}` }).first()).toBeVisible();

  // The last chip leads back to the whole list.
  await search.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(total(page)).toHaveText(/^about \d+ users$/);
  await expect(activeFilters(page)).toHaveCount(0);
  await expect(filters(page).getByLabel('Search', { exact: true })).toHaveValue('');

  expect(pageErrors).toEqual([]);
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

  // Also with the filters open (a bottom sheet on phones) and long remote
  // nicknames on the page.
  await openUsers(page, '/users?origin=external&sort=-nickname');
  await expect(filterSummary(page)).toHaveText('Filters and sorting (1 active)');
  await expect(filterDetails(page)).not.toHaveAttribute('open');
  await filterSummary(page).click();
  await expect(filterDetails(page)).toHaveAttribute('open', '');
  await expectPanelLayout(page);
  await expect(userRows(page).first()).toBeVisible();
  await expect(userRows(page).filter({ hasNot: page.getByText('external', { exact: true }) })).toHaveCount(0);
  await expectNoHorizontalScroll(page);
  if (isPhone(page)) await expect(usersTable(page).locator('thead')).toBeHidden();
  else await expect(usersTable(page).locator('thead')).toBeVisible();

  expect(pageErrors).toEqual([]);
});
