// Bulk actions on the user list: check rows, choose an action, apply. A plain
// POST form, so it must work identically with JavaScript off and on a phone.

import { test, expect, ADMIN, signIn, type Page } from './fixtures';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 60 });

function rows(page: Page) {
  return page.getByRole('table', { name: 'Users', exact: true }).locator('tbody').getByRole('row');
}

/** Rows that are active now, so deactivating them changes something visible. */
async function activeNicknames(page: Page, count: number): Promise<string[]> {
  const names: string[] = [];
  const all = rows(page);
  for (let i = 0; i < (await all.count()) && names.length < count; i++) {
    const row = all.nth(i);
    if ((await row.getByText('active', { exact: true }).count()) === 0) continue;
    const nick = (await row.getByText(/^@\S+$/).first().textContent())!.trim();
    if (nick !== `@${ADMIN.nickname}`) names.push(nick);
  }
  return names;
}

test('bulk deactivate returns to the same list with the change and a log entry', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/users?origin=local&sort=nickname&per_page=25');
  const chosen = await activeNicknames(page, 2);
  expect(chosen).toHaveLength(2);
  for (const nick of chosen) {
    await page.getByRole('checkbox', { name: `Select ${nick}` }).check();
  }
  await page.getByLabel('Action', { exact: true }).selectOption('deactivate');
  await page.getByRole('button', { name: 'Apply action' }).click();

  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?origin=local&sort=nickname&per_page=25');
  await expect(page.getByRole('status').filter({ hasText: 'You deactivated users:' })).toBeVisible();
  for (const nick of chosen) {
    const row = rows(page).filter({ hasText: nick });
    await expect(row.getByText('deactivated', { exact: true })).toBeVisible();
  }

  await page.goto('/moderation-log?action=user.deactivate');
  const entry = page.getByRole('list', { name: 'Log entries' }).getByRole('listitem');
  await expect(entry).toHaveCount(1);
  for (const nick of chosen) {
    await expect(entry).toContainText(nick);
  }
});

test('deleting needs the typed confirmation', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/users?sort=nickname&per_page=10');
  const nick = (await activeNicknames(page, 1))[0];
  await page.getByRole('checkbox', { name: `Select ${nick}` }).check();
  await page.getByLabel('Action', { exact: true }).selectOption('delete');
  await page.getByRole('button', { name: 'Apply action' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Type "delete" to confirm' })).toBeVisible();
  await expect(rows(page).filter({ hasText: nick })).toHaveCount(1);
});
