// Apps' registration policy in the console: create an app, clear a field
// with the tri-state control (Keep / Set to / Clear) and see it cleared,
// confirm a frontend_url change on a second submit, and see a new
// webhook's secret once.

import { test, expect, ADMIN, flash, signIn } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('create an app, clear a field, confirm a frontend URL and add a webhook', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/apps');
  await page.getByLabel('Name', { exact: true }).fill('Shop');
  await page.getByLabel('Description', { exact: true }).fill('A shop');
  await page.getByRole('button', { name: 'Create app', exact: true }).click();
  await expect(page).toHaveURL(/\/apps\/\d+$/);
  await expect(flash(page, 'created')).toBeVisible();
  await expect(page.getByTestId('description-current')).toHaveText('A shop');

  // Clear: the stored description goes.
  await page.getByTestId('description-clear').check();
  await page.getByRole('button', { name: 'Save changes', exact: true }).click();
  await expect(flash(page, 'saved')).toBeVisible();
  await expect(page.getByTestId('description-current')).toHaveText('(not set)');

  // frontend_url: the first submit only warns, the second applies.
  const before = await page.getByTestId('effective-frontend-url').innerText();
  await page.getByTestId('frontend_url-set').check();
  await page.getByLabel('New Frontend URL', { exact: true }).fill('https://shop.example.org');
  await page.getByRole('button', { name: 'Save changes', exact: true }).click();
  await expect(page.getByTestId('frontend-url-confirm')).toContainText('will point at https://shop.example.org/');
  await expect(page.getByTestId('effective-frontend-url')).toHaveText(before);
  await page.getByRole('button', { name: 'Save changes', exact: true }).click();
  await expect(flash(page, 'saved')).toBeVisible();
  await expect(page.getByTestId('effective-frontend-url')).toHaveText('https://shop.example.org/');

  // A webhook in a blank row: its signing secret shows once.
  await page.locator('#wh-url-0').fill('https://hooks.example.org/shop');
  await page.getByRole('button', { name: 'Save webhooks', exact: true }).click();
  await expect(page.getByTestId('new-secret')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('new-secret')).toHaveCount(0);
  await expect(page.locator('#wh-url-0')).toHaveValue('https://hooks.example.org/shop');
});
