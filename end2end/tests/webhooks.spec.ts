// Webhooks: an admin points the system alerts at a receiver (node's http
// module, started here), watches the delivery appear in /webhooks, opens it
// and redelivers it; the receiver gets the same body twice, signed.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, ADMIN, flash, signIn, adminApi } from './fixtures';

test.use({ stewardAccounts: [ADMIN] });

type Hit = { headers: http.IncomingHttpHeaders; body: string };

async function receiver(): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, hits, close: () => new Promise((ok) => server.close(() => ok())) };
}


test('a system alert appears in the delivery log and can be redelivered', async ({ page, steward }) => {
  const rx = await receiver();
  try {
    const token = await steward.createToken(ADMIN.nickname, 'e2e');
    // Setting the URL is itself a settings change: it is announced there.
    await adminApi(page, token, 'POST', '/instance-config/update', { system_alerts_webhook_url: rx.url });
    await expect.poll(() => rx.hits.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(rx.hits[0].headers['steward-event']).toBe('settings.updated');
    expect(rx.hits[0].headers['steward-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    await signIn(page, ADMIN);
    await page.goto('/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
    await expect(page.getByText('System alerts').first()).toBeVisible();
    const deliveries = page.getByTestId('webhook-deliveries');
    await expect(deliveries.getByText('delivered').first()).toBeVisible();
    await deliveries.getByRole('link', { name: /settings\.updated/ }).first().click();
    await expect(page.getByRole('heading', { name: /Delivery #\d+ · settings\.updated/ })).toBeVisible();
    await expect(page.getByText(/Attempt 1 · .* HTTP 200/)).toBeVisible();

    await page.getByRole('button', { name: 'Redeliver' }).click();
    await expect(flash(page, /will be sent again as delivery #\d+/)).toBeVisible();
    await expect.poll(() => rx.hits.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(rx.hits[1].body).toBe(rx.hits[0].body);
    expect(rx.hits[1].headers['steward-delivery']).not.toBe(rx.hits[0].headers['steward-delivery']);

    await page.goto('/moderation-log');
    await expect(page.getByText(/redelivered webhook delivery #\d+/)).toBeVisible();
  } finally {
    await rx.close();
  }
});
