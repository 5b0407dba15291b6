// Layout at every width, and the phone menu at 375 px: no horizontal
// scrolling, the disclosure menu (no JavaScript needed), and touch targets.

import { test, expect, ADMIN, isPhone, menuSummary, openPhoneMenu, signIn, visibleSignOut, type Page } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

const MIN_TARGET = 44;

async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

async function expectTallEnough(locator: ReturnType<Page['locator']>, what: string) {
  const box = await locator.boundingBox();
  expect(box, `${what} has no box`).not.toBeNull();
  expect(box!.height, `${what} is ${box!.height}px tall`).toBeGreaterThanOrEqual(MIN_TARGET);
}

test('no page scrolls sideways', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
  await expectNoHorizontalScroll(page);

  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expectNoHorizontalScroll(page);

  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expectNoHorizontalScroll(page);

  await page.goto('/users');
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('the sign-in button is a comfortable touch target', async ({ page }) => {
  await page.goto('/login');
  const button = page.getByRole('button', { name: 'Sign in', exact: true });
  await expect(button).toBeVisible();
  if (isPhone(page)) await expectTallEnough(button, 'the Sign in button');
});

test('navigation: phone menu or desktop sidebar', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL((url) => url.pathname === '/');

  if (!isPhone(page)) {
    // Desktop: the sidebar is there and the phone menu is not.
    const sidebar = page.getByRole('navigation', { name: 'Main', exact: true });
    await expect(sidebar.getByRole('link', { name: 'Moderation log', exact: true })).toBeVisible();
    await expect(sidebar.getByRole('link', { name: 'Dashboard', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(sidebar.getByRole('link', { name: 'Account', exact: true })).toBeVisible();
    await expect(menuSummary(page)).toBeHidden();
    await expect(visibleSignOut(page)).toHaveCount(1);

    // The sidebar's links work (client-side with JavaScript, plain links without).
    await sidebar.getByRole('link', { name: 'Account', exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === '/account');
    await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
    await sidebar.getByRole('link', { name: 'Moderation log', exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === '/moderation-log');
    await expect(page.getByRole('heading', { name: 'Moderation log' })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Log entries' }).getByText('@admin signed in').first()).toBeVisible();

    await visibleSignOut(page).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
    return;
  }

  // Phone: the sidebar is hidden; "Menu" opens the navigation.
  await expect(page.getByRole('navigation', { name: 'Main', exact: true })).toBeHidden();
  await expect(page.locator('aside')).toBeHidden();
  const menu = page.getByRole('navigation', { name: 'Main menu', exact: true });
  await expect(menuSummary(page)).toBeVisible();
  await expect(menu).toBeHidden();
  await expectTallEnough(menuSummary(page), 'the Menu summary');

  await openPhoneMenu(page);
  await expect(menu).toBeVisible();
  const log = menu.getByRole('link', { name: 'Moderation log', exact: true });
  const account = menu.getByRole('link', { name: 'Account', exact: true });
  const signOut = menu.getByRole('button', { name: 'Sign out', exact: true });
  await expect(log).toBeVisible();
  await expect(account).toBeVisible();
  await expect(signOut).toBeVisible();
  await expect(visibleSignOut(page)).toHaveCount(1);
  await expectTallEnough(log, 'the Moderation log link');
  await expectTallEnough(account, 'the Account link');
  await expectTallEnough(signOut, 'the Sign out button');

  // The menu's links work (client-side with JavaScript, plain links without).
  await account.click();
  await expect(page).toHaveURL((url) => url.pathname === '/account');
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await openPhoneMenu(page);
  await log.click();
  await expect(page).toHaveURL((url) => url.pathname === '/moderation-log');
  await expect(page.getByRole('heading', { name: 'Moderation log' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Log entries' }).getByText('@admin signed in').first()).toBeVisible();

  // Sign out from the menu.
  await openPhoneMenu(page);
  await signOut.click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL((url) => url.pathname === '/login');
});
