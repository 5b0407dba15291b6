// Public registration under the instance's policy: an invite opens an
// invite-only instance, a blocked domain is refused, a registration during
// the review window waits in /registrations, and an admin approves it (on a
// phone in the phone project). The policy is set through the admin API, as
// an operator's script would; the person registering uses the plain form.

import { test, expect, ADMIN, flash, isPhone, openPhoneMenu, signIn, type Page, adminApi } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

const SECRET = 'a long enough secret';


async function fillRegistration(page: Page, nickname: string, email: string) {
  await page.getByLabel('Nickname', { exact: true }).fill(nickname);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(SECRET);
  await page.getByLabel('Repeat password', { exact: true }).fill(SECRET);
  const reason = page.getByLabel('Why do you want to join?');
  if (await reason.count()) await reason.fill('I bake bread and want to post about it.');
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
}

test('register with an invite, be refused for a blocked domain, wait for approval and be approved', async ({
  page,
  steward,
}) => {
  const token = await steward.createToken(ADMIN.nickname, 'e2e');
  // The policy: invite only (the default), a blocked domain, and review all day.
  const invite = await adminApi(page, token, 'POST', '/users/invite_token', { max_use: 3 });
  await adminApi(page, token, 'PATCH', '/instance/restrictions', { blocklist: true });
  await adminApi(page, token, 'POST', '/blocklist_identifiers', { identifier: 'spam.example' });
  const config = await adminApi(
    page,
    token,
    'POST',
    '/instance-config/update',
    { manual_review_enabled: true, manual_review_schedule_enabled: false },
    'Admin',
  );
  expect(config.manual_review_active_now).toBe(true);

  // Without an invite the form is not offered.
  await page.goto('/register');
  await expect(page.getByTestId('register-refused')).toContainText('needs an invite');

  // With one: a blocked domain is refused, the values kept, the error by its field.
  await page.goto(`/invite/${invite.token}`);
  await expect(page.getByTestId('review-notice')).toBeVisible();
  await fillRegistration(page, 'baker', 'baker@mail.spam.example');
  await expect(page.getByText('Registrations from this email address or domain are not accepted.')).toBeVisible();
  await expect(page.getByLabel('Nickname', { exact: true })).toHaveValue('baker');
  await expect(page.getByLabel('Email', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  // A good address: registered, waiting for review.
  await page.getByLabel('Email', { exact: true }).fill('baker@example.org');
  await page.getByLabel('Password', { exact: true }).fill(SECRET);
  await page.getByLabel('Repeat password', { exact: true }).fill(SECRET);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expect(page.getByTestId('registered')).toContainText('A moderator will review your registration');

  // The admin approves.
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  if (isPhone(page)) await openPhoneMenu(page);
  await page
    .getByRole('navigation', { name: isPhone(page) ? 'Main menu' : 'Main', exact: true })
    .getByRole('link', { name: 'Registrations', exact: true })
    .click();
  await expect(page.getByRole('heading', { name: 'Registrations', exact: true })).toBeVisible();
  await expect(page.getByTestId('pending-count')).toHaveText('1 account is waiting.');
  const applicant = page.getByTestId('applicant').filter({ hasText: '@baker' });
  await expect(applicant).toContainText('I bake bread');
  await applicant.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(flash(page, 'Approved @baker')).toBeVisible();
  await expect(page.getByTestId('pending-count')).toHaveText('Nobody is waiting.');

  // The invite counted the use; the approval was logged.
  const invites = await adminApi(page, token, 'GET', '/users/invites');
  expect(invites.invites.find((i: { token: string }) => i.token === invite.token).uses).toBe(1);
  const log = await adminApi(page, token, 'GET', '/moderation_log?search=approved');
  expect(JSON.stringify(log)).toContain('baker');
});

test('an admin opens registration from the settings page and the form appears for strangers', async ({ page, browser }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/settings/registration');
  await expect(page.getByTestId('review-now')).toBeVisible();
  await page.getByLabel('Who may register', { exact: true }).selectOption('open');
  await page.getByRole('checkbox', { name: /^Approval required/ }).uncheck();
  await page.locator('form[action="/settings/registration/policy"]').getByRole('button', { name: 'Save' }).click();
  await expect(flash(page, 'Saved the registration policy.')).toBeVisible();
  await expect(page.getByLabel('Who may register', { exact: true })).toHaveValue('open');

  // A stranger's browser: the form is offered without an invite.
  const stranger = await browser.newPage({ baseURL: page.url() });
  await stranger.goto('/register');
  await expect(stranger.getByRole('button', { name: 'Create account', exact: true })).toBeVisible();
  await expect(stranger.getByTestId('register-refused')).toHaveCount(0);
  await stranger.close();

  // The change is in the moderation log with before and after.
  await page.goto('/moderation-log?action=settings.update');
  await expect(page.getByText(/changed the registration policy: .*mode invite_only → open/)).toBeVisible();
});
