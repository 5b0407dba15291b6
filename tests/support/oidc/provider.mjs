// A real OpenID provider for Steward's single sign-on tests (cargo tests in
// tests/sso.rs and Playwright alike): `oidc-provider` with one client and an
// in-memory account store. Test-only: no consent, and the interaction signs in
// whichever account the authorization request's `login_hint` names (alice when
// none), so a plain HTTP client that follows redirects completes a sign-in.
//
//   node tests/support/oidc/provider.mjs [port] [redirect_uri[,redirect_uri…]]
//
// Port 0 (the default) picks a free one. Environment, each optional:
//   OIDC_PORT, OIDC_REDIRECT_URIS (comma-separated), OIDC_CLIENT_ID
//   (default "steward"), OIDC_CLIENT_SECRET (default "steward-test-secret").
// Prints `oidc-provider listening on <port>` once it answers.
//
// Under /rogue/<mode>/ it also serves a minimal provider of its own (discovery,
// authorize, token, JWKS; client_secret_post) whose ID tokens are wrong on
// purpose: mode `ok` (nothing wrong), `wrong_aud`, `expired`, `forged` (signed
// with a key that is not in its JWKS), `bad_nonce`, `unverified` (email not verified).

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

// Whoever started us may stop reading our output: that is no reason to stop.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const port = Number(process.argv[2] ?? process.env.OIDC_PORT ?? 0);
const redirectUris = (process.argv[3] ?? process.env.OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:3000/auth/sso/callback')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const clientId = process.env.OIDC_CLIENT_ID ?? 'steward';
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? 'steward-test-secret';

const ACCOUNTS = {
  alice: { email: 'alice@example.org', email_verified: true, name: 'Alice Example', preferred_username: 'alice' },
  bob: { email: 'bob@other.test', email_verified: true, name: 'Bob Other', preferred_username: 'bob' },
  carol: { email: 'carol@example.org', email_verified: false, name: 'Carol Unverified', preferred_username: 'carol' },
  dave: { email: 'dave@staff.example.org', email_verified: true, name: 'Dave Sub', preferred_username: 'dave' },
  erin: { email: 'erin@example.org', email_verified: true, name: 'Erin Hostile', preferred_username: '"><script>x</script>' },
};

const claimsOf = (id) => ({ sub: id, ...ACCOUNTS[id] });

const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const actual = server.address().port;
const base = `http://127.0.0.1:${actual}`;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const providerJwk = { ...(await jose.exportJWK(privateKey)), kid: 'provider', alg: 'RS256', use: 'sig' };

const provider = new Provider(base, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [providerJwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!ACCOUNTS[id]) return undefined;
    return { accountId: id, claims: async () => claimsOf(id) };
  },
  // First-party and test-only: every scope the client asks for is granted.
  async loadExistingGrant(ctx) {
    const accountId = ctx.oidc.session.accountId;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('oidc-provider error', err));

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const hint = details.params.login_hint ?? 'alice';
  const result = ACCOUNTS[hint]
    ? { login: { accountId: hint } }
    : { error: 'access_denied', error_description: 'no such test account' };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// ── The rogue provider ─────────────────────────────────────────────────────
const { privateKey: rogueKey, publicKey: roguePublic } = await jose.generateKeyPair('RS256', { extractable: true });
const { privateKey: forgerKey } = await jose.generateKeyPair('RS256', { extractable: true });
const rogueJwk = { ...(await jose.exportJWK(roguePublic)), kid: 'rogue', alg: 'RS256', use: 'sig' };
const codes = new Map();

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function rogue(req, res, url) {
  const [, , mode, ...rest] = url.pathname.split('/');
  const endpoint = rest.join('/');
  const issuer = `${base}/rogue/${mode}`;
  if (endpoint === '.well-known/openid-configuration') {
    return json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
    });
  }
  if (endpoint === 'jwks') return json(res, 200, { keys: [rogueJwk] });
  if (endpoint === 'authorize') {
    const p = url.searchParams;
    const code = crypto.randomBytes(16).toString('hex');
    codes.set(code, { nonce: p.get('nonce'), hint: p.get('login_hint') ?? 'alice', clientId: p.get('client_id') });
    const back = new URL(p.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (endpoint === 'token' && req.method === 'POST') {
    const body = await readBody(req);
    if (body.get('client_id') !== clientId || body.get('client_secret') !== clientSecret) {
      return json(res, 401, { error: 'invalid_client' });
    }
    const grant = codes.get(body.get('code'));
    codes.delete(body.get('code'));
    if (!grant || !body.get('code_verifier')) return json(res, 400, { error: 'invalid_grant' });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...claimsOf(ACCOUNTS[grant.hint] ? grant.hint : 'alice'),
      nonce: mode === 'bad_nonce' ? 'not-the-nonce' : grant.nonce,
    };
    if (mode === 'unverified') claims.email_verified = false;
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'rogue' })
      .setIssuer(issuer)
      .setAudience(mode === 'wrong_aud' ? 'someone-else' : clientId)
      .setIssuedAt(mode === 'expired' ? now - 7200 : now)
      .setExpirationTime(mode === 'expired' ? now - 3600 : now + 300)
      .sign(mode === 'forged' ? forgerKey : rogueKey);
    return json(res, 200, { access_token: crypto.randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: token });
  }
  return json(res, 404, { error: 'not_found' });
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, base);
  try {
    if (url.pathname.startsWith('/rogue/')) return await rogue(req, res, url);
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res);
    return callback(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) json(res, 500, { error: 'server_error' });
  }
});

console.log(`oidc-provider listening on ${actual}`);
