// The moderation log records sign-ins, sign-outs and API tokens, newest
// first, and filters through the URL (a plain GET form).

import { test, expect, ADMIN, logMessages, signIn, signOut } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });
// Later tests read the log entries the first one writes.
test.describe.configure({ mode: 'serial' });

const SIGNED_IN = '@admin signed in';
const SIGNED_OUT = '@admin signed out';
const CREATED = '@admin created API token "ci-token"';
const REVOKED = '@admin revoked API token "ci-token"';

test('sessions and API tokens are logged, newest first', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await signOut(page);
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');

  // Create a token: its secret is shown once.
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await page.getByLabel('Token name', { exact: true }).fill('ci-token');
  await page.getByRole('button', { name: 'Create token', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/account');
  await expect(page.getByRole('status').filter({ hasText: 'API token "ci-token" created.' })).toBeVisible();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toBeVisible();
  await expect(secret).toHaveText(/^stw_[A-Za-z0-9_-]+$/);
  const tokens = page.getByRole('list', { name: 'Your API tokens' });
  await expect(tokens.getByRole('listitem').filter({ hasText: 'ci-token' })).toHaveCount(1);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expect(tokens.getByRole('listitem').filter({ hasText: 'ci-token' })).toBeVisible();
  await expect(page.getByTestId('new-secret')).toHaveCount(0);

  // Revoke it.
  await page.getByRole('button', { name: 'Revoke token ci-token', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/account');
  await expect(page.getByRole('status').filter({ hasText: 'API token "ci-token" revoked.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Revoke token ci-token', exact: true })).toHaveCount(0);
  await expect(tokens.getByRole('listitem').filter({ hasText: 'ci-token' })).toContainText('Revoked');

  // The log, newest first.
  await page.goto('/moderation-log');
  await expect(page.getByRole('heading', { name: 'Moderation log' })).toBeVisible();
  const entries = page.getByRole('list', { name: 'Log entries' });
  for (const message of [SIGNED_IN, SIGNED_OUT, CREATED, REVOKED]) {
    await expect(entries.getByText(message, { exact: true }).first()).toBeVisible();
  }
  const messages = await logMessages(page);
  expect(messages.slice(0, 5)).toEqual([REVOKED, CREATED, SIGNED_IN, SIGNED_OUT, SIGNED_IN]);
});

test('filtering by action is kept in the URL', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/moderation-log');

  const filters = page.getByRole('search', { name: 'Filter the log' });
  await filters.getByLabel('Action', { exact: true }).selectOption('token.create');
  await filters.getByRole('button', { name: 'Apply filters' }).click();

  await expect(page).toHaveURL((url) => url.pathname === '/moderation-log' && url.searchParams.get('action') === 'token.create');
  await expect(page).toHaveURL(/action=token\.create/);
  await expect(page.getByRole('list', { name: 'Log entries' }).getByRole('listitem')).toHaveCount(1);
  expect(await logMessages(page)).toEqual([CREATED]);
  await expect(filters.getByLabel('Action', { exact: true })).toHaveValue('token.create');

  await page.reload();
  await expect(page).toHaveURL(/action=token\.create/);
  await expect(page.getByRole('list', { name: 'Log entries' }).getByRole('listitem')).toHaveCount(1);
  expect(await logMessages(page)).toEqual([CREATED]);
  await expect(filters.getByLabel('Action', { exact: true })).toHaveValue('token.create');
});

test('an invalid date is ignored with a notice', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');

  const response = await page.goto('/moderation-log?from=31-01-2026');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Moderation log' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Ignored from=' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Log entries' }).getByText(CREATED, { exact: true })).toBeVisible();
});

test('"Clear" goes back to the whole log', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/moderation-log?action=token.create');
  const filters = page.getByRole('search', { name: 'Filter the log' });
  await expect(filters.getByLabel('Action', { exact: true })).toHaveValue('token.create');
  expect(await logMessages(page)).toEqual([CREATED]);

  // A plain link; with JavaScript the router follows it on the client.
  await filters.getByRole('link', { name: 'Clear', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/moderation-log' && url.search === '');
  await expect(filters.getByLabel('Action', { exact: true })).toHaveValue('');
  const entries = page.getByRole('list', { name: 'Log entries' });
  await expect(entries.getByText(REVOKED, { exact: true })).toBeVisible();
  await expect(entries.getByText(CREATED, { exact: true })).toBeVisible();
});
