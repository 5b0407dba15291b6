// With JavaScript on, every page must hydrate without an uncaught error (a
// panic in the WebAssembly app leaves links dead). Without JavaScript there is
// nothing to hydrate and the checks hold trivially.

import { test, expect, ADMIN, signIn } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('pages hydrate without uncaught errors', async ({ page, pageErrors }) => {
  const visit = async (path: string, heading: string) => {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    // The app's script and WebAssembly are fetched and run once the network settles.
    await page.waitForLoadState('networkidle');
    expect(pageErrors, `uncaught errors on ${path}`).toEqual([]);
  };

  await visit('/login', 'Sign in');
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await visit('/moderation-log', 'Moderation log');
  await visit('/account', 'Account');
});
