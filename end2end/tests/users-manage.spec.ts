// Managing single accounts: an admin creates one on /users/new (a rejected
// submit shows the error beside its field and keeps the input), manages it on
// its page /users/{id} (deactivate, activate, a one-time password-reset link
// that the user follows in a browser of their own, delete with the typed
// word), and saves list filters as views that the sidebar lists with a live
// count. Plain forms and links: the same with JavaScript off and on a phone.

import {
  test,
  expect,
  ADMIN,
  flash,
  isPhone,
  openPhoneMenu,
  signIn,
  submitSignIn,
  type Account,
  type Page,
} from './fixtures';

test.use({ stewardAccounts: [ADMIN], stewardSeedUsers: 300 });

/** The account the first test creates: a moderator, so it can sign in later. */
const NEWCOMER = {
  nickname: 'e2e_newcomer',
  email: 'e2e.newcomer@example.net',
  displayName: 'Newcomer From The Tests',
  password: 'first password, long enough',
};

function total(page: Page) {
  return page.getByTestId('users-total');
}

function rows(page: Page) {
  return page.getByRole('table', { name: 'Users', exact: true }).locator('tbody').getByRole('row');
}

/** A labelled form field (exact label). */
function field(page: Page, label: string) {
  return page.getByLabel(label, { exact: true });
}

/** The message shown beside a field after a rejected submit. */
async function fieldError(page: Page, label: string) {
  const id = await field(page, label).getAttribute('aria-describedby');
  expect(id, `${label} names its error`).toBeTruthy();
  return page.locator(`[id="${id}"]`);
}

/** One row of the "Profile" facts, e.g. `fact(page, 'Email')`. */
function fact(page: Page, label: string) {
  return page
    .getByRole('region', { name: 'Profile', exact: true })
    .locator('div')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    .locator('dd');
}

function actions(page: Page) {
  return page.getByRole('region', { name: 'Actions', exact: true });
}

function badges(page: Page) {
  return page.getByTestId('user-badges');
}

function userLog(page: Page) {
  return page.getByTestId('user-log');
}

async function expectUserPage(page: Page, nickname: string, id?: string): Promise<string> {
  await expect(page).toHaveURL((url) => /^\/users\/\d+$/.test(url.pathname) && (!id || url.pathname === `/users/${id}`));
  await expect(page.getByRole('heading', { level: 1, name: `@${nickname}`, exact: true })).toBeVisible();
  return new URL(page.url()).pathname.split('/')[2];
}

/** "N users" / "1 user" as a number (an exact total). */
async function exactTotal(page: Page): Promise<number> {
  await expect(total(page)).toHaveText(/^\d+ users?$/);
  return parseInt((await total(page).innerText()).trim(), 10);
}

/** The saved-views list of the visible navigation (the phone menu is opened first). */
async function savedViews(page: Page) {
  if (isPhone(page)) await openPhoneMenu(page);
  const nav = page.getByRole('navigation', { name: isPhone(page) ? 'Main menu' : 'Main', exact: true });
  return nav.getByTestId('saved-views');
}

/** The link of one saved view, and its count badge. */
async function savedView(page: Page, name: string) {
  const link = (await savedViews(page)).getByRole('link').filter({ hasText: name });
  return { link, count: link.locator('span').nth(1) };
}

test('an admin creates a user, manages it on its page, and the user sets a password with a reset link', async ({
  page,
  browser,
  baseURL,
  javaScriptEnabled,
  viewport,
  isMobile,
  hasTouch,
  deviceScaleFactor,
}) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/users');
  const newUser = page.getByRole('link', { name: 'New user', exact: true });
  await expect(newUser).toHaveAttribute('href', '/users/new');
  await newUser.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users/new');
  await expect(page.getByRole('heading', { name: 'New user', exact: true })).toBeVisible();
  await expect(field(page, 'Role').locator('option')).toHaveText(['None', 'Moderator', 'Admin']);

  // A bad email and a short password: rejected, with the errors beside their
  // fields and everything but the password kept.
  await field(page, 'Nickname').fill(NEWCOMER.nickname);
  await field(page, 'Email').fill('not an email address');
  await field(page, 'Display name').fill(NEWCOMER.displayName);
  await field(page, 'Password').fill('short');
  await field(page, 'Role').selectOption('moderator');
  await page.getByRole('button', { name: 'Create user', exact: true }).click();

  await expect(page).toHaveURL((url) => url.pathname === '/users/new');
  await expect(field(page, 'Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(await fieldError(page, 'Email')).toBeVisible();
  await expect(await fieldError(page, 'Email')).not.toBeEmpty();
  await expect(field(page, 'Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(await fieldError(page, 'Password')).toBeVisible();
  await expect(field(page, 'Nickname')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(field(page, 'Nickname')).toHaveValue(NEWCOMER.nickname);
  await expect(field(page, 'Email')).toHaveValue('not an email address');
  await expect(field(page, 'Display name')).toHaveValue(NEWCOMER.displayName);
  await expect(field(page, 'Role')).toHaveValue('moderator');
  await expect(field(page, 'Password')).toHaveValue('');
  // Nothing was created.
  await page.goto(`/users?q=${NEWCOMER.nickname}`);
  await expect(rows(page)).toHaveCount(0);
  await expect(total(page)).toHaveText('0 users');
  await page.goto('/users/new');
  await expect(field(page, 'Nickname')).toHaveValue('');

  // Corrected: created, and on its page with a flash.
  await field(page, 'Nickname').fill(NEWCOMER.nickname);
  await field(page, 'Email').fill(NEWCOMER.email);
  await field(page, 'Display name').fill(NEWCOMER.displayName);
  await field(page, 'Password').fill(NEWCOMER.password);
  await field(page, 'Role').selectOption('moderator');
  await page.getByRole('button', { name: 'Create user', exact: true }).click();
  const id = await expectUserPage(page, NEWCOMER.nickname);
  await expect(flash(page, `Created @${NEWCOMER.nickname}.`)).toBeVisible();
  await expect(page.getByText(NEWCOMER.displayName, { exact: true }).first()).toBeVisible();
  await expect(fact(page, 'Email')).toHaveText(NEWCOMER.email);
  await expect(fact(page, 'Origin')).toHaveText('Local');
  await expect(fact(page, 'Role')).toHaveText('moderator');
  await expect(badges(page).getByText('active', { exact: true })).toBeVisible();
  await expect(badges(page).getByText('moderator', { exact: true })).toBeVisible();
  await expect(userLog(page)).toContainText(`@${ADMIN.nickname} created users: @${NEWCOMER.nickname}`);
  await expect(page.getByRole('region', { name: 'Edit credentials', exact: true })).toBeVisible();

  // In the list, the nickname is a link to this page.
  await page.goto(`/users?q=${NEWCOMER.nickname}`);
  await expect(rows(page)).toHaveCount(1);
  const link = rows(page).getByRole('link', { name: `@${NEWCOMER.nickname}`, exact: true });
  await expect(link).toHaveAttribute('href', `/users/${id}`);
  await link.click();
  await expectUserPage(page, NEWCOMER.nickname, id);

  // Deactivate, then activate again: the badge, the button and the log follow.
  await actions(page).getByRole('button', { name: 'Deactivate', exact: true }).click();
  await expectUserPage(page, NEWCOMER.nickname, id);
  await expect(flash(page, `You deactivated users: @${NEWCOMER.nickname}`)).toBeVisible();
  await expect(badges(page).getByText('deactivated', { exact: true })).toBeVisible();
  await expect(badges(page).getByText('active', { exact: true })).toHaveCount(0);
  await expect(actions(page).getByRole('button', { name: 'Deactivate', exact: true })).toHaveCount(0);
  await expect(userLog(page)).toContainText(`@${ADMIN.nickname} deactivated users: @${NEWCOMER.nickname}`);

  await actions(page).getByRole('button', { name: 'Activate', exact: true }).click();
  await expectUserPage(page, NEWCOMER.nickname, id);
  await expect(flash(page, `You activated users: @${NEWCOMER.nickname}`)).toBeVisible();
  await expect(badges(page).getByText('active', { exact: true })).toBeVisible();
  await expect(badges(page).getByText('deactivated', { exact: true })).toHaveCount(0);
  await expect(actions(page).getByRole('button', { name: 'Deactivate', exact: true })).toBeVisible();

  // A one-time reset link, shown once.
  await actions(page).getByRole('button', { name: 'Create reset link', exact: true }).click();
  await expectUserPage(page, NEWCOMER.nickname, id);
  await expect(flash(page, 'Password reset link created.')).toBeVisible();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toBeVisible();
  const resetUrl = new URL((await secret.innerText()).trim());
  expect(resetUrl.origin).toBe(new URL(baseURL!).origin);
  expect(resetUrl.pathname).toBe('/password-reset');
  expect(resetUrl.searchParams.get('token')).toMatch(/^\S{16,}$/);
  await expect(userLog(page)).toContainText(`@${ADMIN.nickname} created a password reset link for @${NEWCOMER.nickname}`);
  await page.reload();
  await expectUserPage(page, NEWCOMER.nickname, id);
  await expect(page.getByTestId('new-secret')).toHaveCount(0);

  // The user opens it in a browser of their own (same kind: JavaScript, size).
  const context = await browser.newContext({ baseURL, javaScriptEnabled, viewport, isMobile, hasTouch, deviceScaleFactor });
  try {
    const theirs = await context.newPage();
    await theirs.goto(resetUrl.pathname + resetUrl.search);
    await expect(theirs.getByRole('heading', { name: 'Choose a new password', exact: true })).toBeVisible();
    const newPassword = 'a second password, also long';
    await theirs.getByLabel('New password', { exact: true }).fill(newPassword);
    await theirs.getByLabel('Repeat new password', { exact: true }).fill(newPassword);
    await theirs.getByRole('button', { name: 'Set password', exact: true }).click();
    await expect(theirs).toHaveURL((url) => url.pathname === '/password-reset');
    await expect(flash(theirs, 'Your password was changed.')).toBeVisible();
    // Used up: the form is gone.
    await expect(theirs.getByTestId('reset-unavailable')).toBeVisible();
    await expect(theirs.getByLabel('New password', { exact: true })).toHaveCount(0);

    // The old password no longer works, the new one does.
    const account: Account = { nickname: NEWCOMER.nickname, email: NEWCOMER.email, password: NEWCOMER.password };
    await signIn(theirs, account);
    await expect(theirs).toHaveURL((url) => url.pathname === '/login');
    await expect(theirs.getByRole('alert')).toContainText('do not match');
    await theirs.goto('/login');
    await submitSignIn(theirs, NEWCOMER.nickname, newPassword);
    await expect(theirs).toHaveURL((url) => url.pathname === '/');
    await expect(theirs.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  } finally {
    await context.close();
  }

  // The admin sees it in the user's log.
  await page.reload();
  await expect(userLog(page)).toContainText(`@${NEWCOMER.nickname} set a new password with a reset link`);
});

test('deleting from a user page needs the typed word', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/users?status=active&origin=local&sort=-nickname&per_page=10');
  const link = rows(page)
    .getByRole('link')
    .filter({ hasNotText: `@${ADMIN.nickname}` })
    .first();
  const nickname = (await link.innerText()).trim().slice(1);
  await link.click();
  const id = await expectUserPage(page, nickname);

  const confirm = page.getByLabel('Type "delete" to delete this account', { exact: true });
  await confirm.fill('remove');
  await page.getByRole('button', { name: 'Delete account', exact: true }).click();
  await expectUserPage(page, nickname, id);
  await expect(flash(page, 'Type "delete"')).toBeVisible();

  await confirm.fill('delete');
  await page.getByRole('button', { name: 'Delete account', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '');
  await expect(flash(page, `You deleted users: @${nickname}`)).toBeVisible();
  const response = await page.goto(`/users/${id}`);
  expect(response?.status()).toBe(404);
  await page.goto(`/users?q=${encodeURIComponent(nickname)}`);
  await expect(rows(page).getByRole('link', { name: `@${nickname}`, exact: true })).toHaveCount(0);
});

test('a saved view shows in the sidebar with a live count and opens the filter', async ({ page }) => {
  const VIEW = 'Deactivated locals';
  const path = '/users?status=deactivated&origin=local';
  await signIn(page, ADMIN);
  await page.goto(path);
  const before = await exactTotal(page);
  expect(before, 'some local accounts are deactivated').toBeGreaterThan(0);
  await expect(page.getByTestId('saved-views')).toHaveCount(0);

  // Save the current filter under a name.
  const tools = page.locator('details').filter({ has: page.locator('summary', { hasText: /^Saved views$/ }) });
  await tools.locator('summary').click();
  await tools.getByLabel('Save this filter as', { exact: true }).fill(VIEW);
  await tools.getByRole('button', { name: 'Save view', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated&origin=local');
  await expect(flash(page, `Saved the view "${VIEW}".`)).toBeVisible();

  let view = await savedView(page, VIEW);
  await expect(view.link).toBeVisible();
  await expect(view.link).toHaveAttribute('href', path);
  await expect(view.count).toHaveText(String(before));

  // The count is live: deactivate one more local account.
  await page.goto('/users?status=active&origin=local&sort=nickname&per_page=10');
  const target = rows(page).filter({ hasNot: page.getByRole('link', { name: `@${ADMIN.nickname}`, exact: true }) }).first();
  const nickname = (await target.getByRole('link').innerText()).trim();
  await page.getByRole('checkbox', { name: `Select ${nickname}`, exact: true }).check();
  await page.getByLabel('Action', { exact: true }).selectOption('deactivate');
  await page.getByRole('button', { name: 'Apply action', exact: true }).click();
  await expect(flash(page, `You deactivated users: ${nickname}`)).toBeVisible();
  view = await savedView(page, VIEW);
  await expect(view.count).toHaveText(String(before + 1));

  // Opening the view shows its filter (and its users).
  await view.link.click();
  await expect(page).toHaveURL((url) => url.pathname === '/users' && url.search === '?status=deactivated&origin=local');
  await expect(total(page)).toHaveText(`${before + 1} users`);
  await expect(rows(page).getByRole('link', { name: nickname, exact: true })).toBeVisible();
  const chips = page.getByRole('list', { name: 'Active filters', exact: true });
  await expect(chips.getByRole('link', { name: 'Remove filter Status: deactivated', exact: true })).toBeVisible();
  await expect(chips.getByRole('link', { name: 'Remove filter Origin: local', exact: true })).toBeVisible();

  // On its own list, the view can be deleted.
  await page.reload();
  await tools.locator('summary').click();
  await tools.getByRole('button', { name: `Delete the view "${VIEW}"`, exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/users');
  await expect(flash(page, `Deleted the view "${VIEW}".`)).toBeVisible();
  await expect(page.getByTestId('saved-views')).toHaveCount(0);
});
