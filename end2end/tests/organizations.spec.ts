// Organizations: an admin creates one, the settings editor refuses text that
// is not a JSON object (in the browser with JavaScript, on the server
// without; either way the message is beside the field and the text stays),
// a replacement shows up in the history as a diff, an organization token is
// shown once and replaces the document through Flashback's endpoint, and a
// confirmed delete removes the organization.

import { test, expect, ADMIN, flash, signIn } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('create an organization, edit its settings document and delete it', async ({ page, steward }) => {
  const token = await steward.createToken(ADMIN.nickname, 'e2e');
  const res = await page.request.fetch('/api/v1/admin/instance/organization_settings', {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}` },
    data: { enabled: true },
  });
  expect(res.status(), await res.text()).toBe(200);

  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/organizations');
  await page.getByLabel('Name', { exact: true }).fill('Acme Bakery');
  await page.getByRole('button', { name: 'Create organization', exact: true }).click();
  await expect(page).toHaveURL(/\/organizations\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Acme Bakery' })).toBeVisible();

  const editor = page.getByLabel('Settings (JSON)', { exact: true });
  await editor.fill('[1, 2');
  await page.getByRole('button', { name: 'Replace settings', exact: true }).click();
  await expect(page.getByText(/This is not valid JSON/)).toBeVisible();
  await expect(editor).toHaveValue('[1, 2');

  await editor.fill('{"retention": {"days": 365}}');
  await page.getByRole('button', { name: 'Replace settings', exact: true }).click();
  await expect(flash(page, 'Settings replaced (version 1).')).toBeVisible();
  await expect(editor).toHaveValue(/"days": 365/);
  await page.getByText(/^Version 1 · @admin/).click();
  await expect(page.getByTestId('settings-diff')).toContainText('"days": 365');

  await page.getByLabel('Token name', { exact: true }).fill('backend');
  await page.getByRole('button', { name: 'Create organization token', exact: true }).click();
  const secret = (await page.getByTestId('new-secret').innerText()).trim();
  const replaced = await page.request.post('/api/v1/settings/organization', {
    headers: { Authorization: `Bearer ${secret}` },
    data: { settings: { theme: 'dark' } },
  });
  expect(await replaced.json()).toEqual({ success: true, message: 'Organization settings updated successfully' });
  await page.reload();
  await expect(editor).toHaveValue(/"theme": "dark"/);

  await page.getByRole('button', { name: 'Delete organization', exact: true }).click();
  await expect(page.getByText('Tick the box to confirm the deletion.')).toBeVisible();
  await page.getByLabel(/I understand/).check();
  await page.getByRole('button', { name: 'Delete organization', exact: true }).click();
  await expect(page).toHaveURL(/\/organizations$/);
  await expect(flash(page, 'Organization Acme Bakery deleted.')).toBeVisible();
});
