// With JavaScript on, every page must hydrate without an uncaught error (a
// panic in the WebAssembly app leaves links dead), and read its data from the
// server-rendered HTML instead of asking for it again. Without JavaScript there
// is nothing to hydrate and the checks hold trivially.

import { test, expect, ADMIN, signIn, isPhone, openPhoneMenu, type Page } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('pages hydrate without uncaught errors', async ({ page, pageErrors, javaScriptEnabled }) => {
  const visit = async (path: string, heading: string) => {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    // The app's script and WebAssembly are fetched and run once the network settles.
    await page.waitForLoadState('networkidle');
    expect(pageErrors, `uncaught errors on ${path}`).toEqual([]);
    // Set by an effect once the body has hydrated (bench/first-paint.mjs times it).
    const html = page.locator('html');
    if (javaScriptEnabled) await expect(html, `${path} hydrated`).toHaveAttribute('data-hydrated', '');
    else await expect(html).not.toHaveAttribute('data-hydrated');
  };

  await visit('/login', 'Sign in');
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await visit('/moderation-log', 'Moderation log');
  await visit('/account', 'Account');
});

/** The server functions (`/api/<name><hash>`) the page calls from now on, by name. */
function serverCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) calls.push(path.slice('/api/'.length).replace(/\d+$/, ''));
  });
  return calls;
}

test('a page opened directly reads its data from the HTML', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  const calls = serverCalls(page);
  for (const [path, heading] of [
    ['/users', 'Users'],
    ['/statuses', 'Statuses'],
    ['/account', 'Account'],
    ['/moderation-log', 'Moderation log'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    await page.waitForLoadState('networkidle');
  }
  expect(calls).toEqual([]);
});

test('a lazy page reached by a link asks for its data once', async ({ page, javaScriptEnabled }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.waitForLoadState('networkidle');
  const calls = serverCalls(page);
  if (isPhone(page)) await openPhoneMenu(page);
  const nav = page.getByRole('navigation', { name: isPhone(page) ? 'Main menu' : 'Main', exact: true });
  await nav.getByRole('link', { name: 'Users', exact: true }).click();
  await expect(page.getByTestId('users-total')).toBeVisible();
  await expect(page.getByRole('search', { name: 'Filter users' }).getByLabel('Search', { exact: true })).toBeVisible();
  // With JavaScript the browser loads the list and the tags; without, the server renders them.
  expect(calls.sort()).toEqual(javaScriptEnabled ? ['user_tags', 'users_page'] : []);
});
