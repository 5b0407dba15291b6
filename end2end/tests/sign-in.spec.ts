// Signing in and out as an admin created with the CLI, and the `next`
// parameter that brings you back to the page you asked for.

import { test, expect, ADMIN, signIn, signOut, submitSignIn } from './fixtures';

const LOGIN_FAILED = 'That nickname and password do not match an active admin or moderator account.';

test.use({ stewardAccounts: [ADMIN] });

test('wrong password, right password, sign out, protected page', async ({ page }) => {
  await page.goto('/login');
  await submitSignIn(page, ADMIN.nickname, 'not the right password');

  await expect(page).toHaveURL((url) => url.pathname === '/login');
  await expect(page.getByRole('alert')).toHaveText(LOGIN_FAILED);
  await expect(page.getByLabel('Nickname', { exact: true })).toHaveValue(ADMIN.nickname);
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();

  await signOut(page);

  await page.goto('/moderation-log');
  await expect(page).toHaveURL(
    (url) => url.pathname === '/login' && url.searchParams.get('next') === '/moderation-log',
  );
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
});

test('signing in returns to the protected page asked for', async ({ page }) => {
  await page.goto('/account');
  await expect(page).toHaveURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/account');

  await submitSignIn(page, ADMIN.nickname, ADMIN.password);
  await expect(page).toHaveURL((url) => url.pathname === '/account');
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
});

test('a failed sign-in keeps the next parameter', async ({ page }) => {
  await page.goto('/moderation-log?action=session.sign_in');
  await expect(page).toHaveURL(
    (url) => url.pathname === '/login' && url.searchParams.get('next') === '/moderation-log?action=session.sign_in',
  );

  await submitSignIn(page, ADMIN.nickname, 'still not the right one');
  await expect(page.getByRole('alert')).toHaveText(LOGIN_FAILED);
  await expect(page).toHaveURL(
    (url) => url.pathname === '/login' && url.searchParams.get('next') === '/moderation-log?action=session.sign_in',
  );

  await submitSignIn(page, ADMIN.nickname, ADMIN.password);
  await expect(page).toHaveURL(
    (url) => url.pathname === '/moderation-log' && url.searchParams.get('action') === 'session.sign_in',
  );
  await expect(page.getByLabel('Action', { exact: true })).toHaveValue('session.sign_in');
});

test('a signed-in admin opening /login goes to the console', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/login');
  await expect(page).toHaveURL((url) => url.pathname === '/');
});
