// A moderator sees only what the role allows: no moderation log.

import { test, expect, isPhone, openPhoneMenu, signIn, type Account } from './fixtures';

const MODERATOR: Account = {
  nickname: 'mod',
  email: 'mod@example.org',
  password: 'moderating all day long',
  moderator: true,
};

test.use({ stewardAccounts: [MODERATOR] });

test('a moderator lands on the dashboard and may not open the moderation log', async ({ page }) => {
  await signIn(page, MODERATOR);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expect(page.getByTestId('latest-log')).toHaveCount(0);

  // Neither the sidebar nor the phone menu offers the moderation log.
  if (isPhone(page)) await openPhoneMenu(page);
  const nav = page.getByRole('navigation', { name: isPhone(page) ? 'Main menu' : 'Main', exact: true });
  await expect(nav.getByRole('link', { name: 'Users', exact: true })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Account', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Moderation log', includeHidden: true })).toHaveCount(0);

  const response = await page.goto('/moderation-log');
  expect(response?.status()).toBe(403);
  await expect(page).toHaveURL((url) => url.pathname === '/moderation-log');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Log entries' })).toHaveCount(0);
});
