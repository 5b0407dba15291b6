// First-run setup: the one-time URL printed on a fresh database creates the
// first admin, and works exactly once.

import { test, expect } from './fixtures';

const NICK = 'founder';
const EMAIL = 'founder@example.org';
const PASSWORD = 'a long enough passphrase';

test('first-run setup creates the first admin once', async ({ page, steward }) => {
  const setupPath = await steward.setupPath();

  await page.goto(setupPath);
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();

  // Too short: the form comes back with the message and the typed values.
  await page.getByLabel('Nickname', { exact: true }).fill(NICK);
  await page.getByLabel('Email', { exact: true }).fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Repeat password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();

  await expect(page).toHaveURL((url) => url.pathname === '/setup');
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();
  const password = page.getByLabel('Password', { exact: true });
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();
  // "Next to the password": the message is the field's description.
  await expect(password).toHaveAccessibleDescription('Use at least 12 characters.');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Nickname', { exact: true })).toHaveValue(NICK);
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(EMAIL);

  // Now properly.
  await password.fill(PASSWORD);
  await page.getByLabel('Repeat password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();

  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: `Welcome, ${NICK}. Steward is ready.` })).toBeVisible();
  await expect(page.getByTestId('latest-log').getByText(`@${NICK} completed setup and became the first admin`)).toBeVisible();

  // The link is spent: the page no longer exists.
  const again = await page.goto(setupPath);
  expect(again?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toHaveCount(0);
});
