// Configuration: an admin changes a setting on /config, reads exactly what
// changed on /config/history and reverts it with one click; the search
// narrows the page; a change that needs a reload shows the banner until
// "Reload now". Runs with JavaScript on and off and on a phone.

import { test, expect, ADMIN, flash, signIn } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

test('an admin changes a setting, sees the diff and reverts it', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/config');
  await expect(page.getByRole('heading', { name: 'Configuration', exact: true })).toBeVisible();
  const sessions = page.getByTestId('section-sessions');
  const lifetime = sessions.getByLabel('Absolute lifetime (hours)');
  await expect(lifetime).toHaveValue('12');
  await lifetime.fill('6');
  await sessions.getByRole('button', { name: 'Save sessions' }).click();
  await expect(flash(page, /Saved: Absolute lifetime \(hours\)/)).toBeVisible();
  await expect(page.getByTestId('section-sessions').getByLabel('Absolute lifetime (hours)')).toHaveValue('6');

  await page.goto('/config/history');
  const change = page.getByTestId('config-change').first();
  await expect(change).toContainText('Absolute lifetime (hours): 12 → 6');
  await expect(change).toContainText(`@${ADMIN.nickname}`);
  await change.getByRole('button', { name: /Revert change #\d+/ }).click();
  await expect(flash(page, /Reverted change #\d+: Absolute lifetime \(hours\) put back/)).toBeVisible();
  await expect(page.getByTestId('config-change').first()).toContainText('Absolute lifetime (hours): 6 → 12');

  await page.goto('/config');
  await expect(page.getByTestId('section-sessions').getByLabel('Absolute lifetime (hours)')).toHaveValue('12');
});

test('search narrows the settings and a reload applies a waiting one', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/config?q=smtp');
  await expect(page.getByLabel('SMTP server')).toBeVisible();
  await expect(page.getByTestId('section-sessions')).toHaveCount(0);

  await page.goto('/config?q=reads');
  const limits = page.getByTestId('section-limits');
  await limits.getByLabel('Reads at once').fill('6');
  await limits.getByRole('button', { name: 'Save limits' }).click();
  await expect(flash(page, /apply after a reload/)).toBeVisible();
  const banner = page.getByTestId('need-reboot');
  await expect(banner).toContainText('Reads at once');
  await banner.getByRole('button', { name: 'Reload now' }).click();
  await expect(flash(page, /Reloaded\. Now in effect: Reads at once/)).toBeVisible();
  await expect(page.getByTestId('need-reboot')).toHaveCount(0);
});
