// OAuth apps in the console: register one and see its client secret once
// (gone on the next visit), then give it a new secret after a confirm step.

import { test, expect, ADMIN, flash, signIn } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('register an OAuth app, see its secret once, and replace it', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/oauth-apps');
  await page.getByLabel('Name', { exact: true }).fill('Moderation bot');
  await page.getByLabel('Redirect URIs').fill('https://bot.example/callback');
  await page.getByRole('button', { name: 'Register app' }).click();
  await expect(flash(page, 'registered with client id')).toBeVisible();
  const secret = (await page.getByTestId('new-secret').textContent())?.trim() ?? '';
  expect(secret.length).toBeGreaterThanOrEqual(32);
  const card = page.locator('[data-oauth-app]').filter({ hasText: 'Moderation bot' });
  await expect(card).toContainText('https://bot.example/callback');

  await page.reload();
  await expect(page.getByTestId('new-secret')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(secret);

  await card.getByText('New secret…').click();
  await card.getByRole('button', { name: /Replace the secret of app #\d+/ }).click();
  await expect(flash(page, 'has a new secret')).toBeVisible();
  const replaced = (await page.getByTestId('new-secret').textContent())?.trim() ?? '';
  expect(replaced).not.toBe(secret);
});
