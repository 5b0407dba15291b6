// Single sign-on: an OpenID provider (the npm `oidc-provider`, started here
// from tests/support/oidc/provider.mjs) is configured as the instance's SSO;
// a new staff member signs in with "Sign in with Example ID" and lands in the
// console, provisioned as a moderator. The provider's test interaction signs
// in its default account (alice) without a form, as a remembered sign-in at
// a real provider would.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { test, expect, ADMIN, REPO_ROOT, isPhone, openPhoneMenu, adminApi } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

async function provider(redirectUri: string): Promise<{ issuer: string; child: ChildProcess }> {
  const child = spawn('node', [path.join(REPO_ROOT, 'tests/support/oidc/provider.mjs'), '0', redirectUri], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`provider did not start: ${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/oidc-provider listening on (\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => fail(new Error(`provider exited (${code}): ${output}`)));
  });
  return { issuer: `http://127.0.0.1:${port}`, child };
}


test('a new staff member signs in through the instance OIDC provider', async ({ page, steward, baseURL }) => {
  const idp = await provider(`${baseURL}/auth/sso/callback`);
  try {
    const token = await steward.createToken(ADMIN.nickname, 'e2e');
    await adminApi(page, token, 'POST', '/config', {
      configs: [
        {
          group: ':steward',
          key: ':sso',
          value: {
            enabled: true,
            display_name: 'Example ID',
            issuer: idp.issuer,
            client_id: 'steward',
            client_secret: 'steward-test-secret',
            allowed_domains: ['example.org'],
            auto_provision: true,
          },
        },
        { group: ':steward', key: ':auth', value: { sso_provision_role: 'moderator' } },
      ],
    });

    await page.goto('/login');
    // The secret never reaches a page.
    expect(await page.content()).not.toContain('steward-test-secret');
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    // Back from the provider, signed in as the new moderator.
    await expect(page).toHaveURL(new RegExp(`^${baseURL}/$`));
    if (isPhone(page)) await openPhoneMenu(page);
    await expect(page.getByText('@alice').filter({ visible: true }).first()).toBeVisible();

    // The admin sees who joined, and how, in the log.
    const log = await adminApi(page, token, 'GET', '/moderation_log');
    const messages = (log.items ?? log).map((e: { message: string }) => e.message).join('\n');
    expect(messages).toMatch(/alice/);
  } finally {
    idp.child.kill();
  }
});
