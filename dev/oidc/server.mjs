// Development OpenID Connect provider for Lana, on loopback only.
//
// Two realms, as in Keycloak: `internal` (staff, audience lana-admin) and `customer` (customers,
// audience lana-customer), each its own issuer with its own RS256 signing key:
//   http://127.0.0.1:<port>/realms/<realm>/.well-known/openid-configuration
// Access tokens are JWTs signed by the realm key and carry `email` and `email_verified`.
//
// Getting a token:
// - Interactive (as Keycloak's dev realm): the authorization code flow with PKCE (S256) and the
//   built-in login page, which accepts any email address as the login (and any password). The
//   web apps (apps/) use it: the admin panel with the internal realm's client, the customer portal
//   with the customer realm's, each on its `next start` port (3000/3001 for dev/up, 3100/3101 for
//   the browser tests) on 127.0.0.1 and localhost. The first-party clients get no consent screen,
//   and the logout (end session) confirms itself. An email starting with `short-session` gets a
//   10-second access token and provider session (to test session expiry).
// - Scripted: the grant `urn:lana:params:oauth:grant-type:dev-email` at the realm's token endpoint
//   with `email=<address>` and the realm's client credentials. `dev/token` wraps it.
//
// The resource indicator (RFC 8707) must be an absolute URI, so each realm's API is the resource
// `urn:lana:api:<audience>`, the default for its client; the access token's `aud` stays the bare
// audience (lana-admin, lana-customer) the servers check.
//
// Signing keys are PKCS#8 PEM files in $OIDC_STATE_DIR (default .lana/oidc), made on first start
// and kept, so tokens stay valid across restarts and tests can read the key to forge bad tokens.

import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import Provider, { errors } from 'oidc-provider';

const host = '127.0.0.1';
const port = Number(process.env.OIDC_PORT ?? 8081);
const stateDir = process.env.OIDC_STATE_DIR ?? '.lana/oidc';
const base = `http://${host}:${port}`;
const DEV_GRANT = 'urn:lana:params:oauth:grant-type:dev-email';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Reported by /health, so dev/lib.sh can tell a provider running an older version of this file.
const SOURCE = createHash('sha256').update(readFileSync(new URL(import.meta.url))).digest('hex');

export const REALMS = {
  internal: { audience: 'lana-admin', clientId: 'lana-admin-panel', clientSecret: 'dev-admin-secret', appPorts: [3000, 3100] },
  customer: { audience: 'lana-customer', clientId: 'lana-customer-portal', clientSecret: 'dev-customer-secret', appPorts: [3001, 3101] },
};

const resourceOf = (audience) => `urn:lana:api:${audience}`;

// Every origin the realm's web app runs on (dev/up and the browser tests, by IP and by name).
function appOrigins(ports) {
  return ports.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]);
}

// First-party clients: the grant (scopes and the realm's API) is given without a consent screen.
function grantWithoutConsent(resource) {
  return async (ctx) => {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email');
    grant.addResourceScope(resource, 'openid email');
    await grant.save();
    return grant;
  };
}

// The end-session confirmation submits itself: logging out of an app ends the provider session.
async function logoutSource(ctx, form) {
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing out</title></head>
<body><p>Signing out...</p>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}
<script>document.forms[0].submit()</script></body></html>`;
}

function signingKey(realm) {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, `${realm}-signing-key.pem`);
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const jwk = createPrivateKey(readFileSync(path)).export({ format: 'jwk' });
  return { ...jwk, kid: `${realm}-1`, use: 'sig', alg: 'RS256' };
}

// Logins whose email starts with `short-session` get access tokens and a provider session that
// end after SHORT_SESSION_SECONDS, so tests can watch a session end without waiting an hour.
const SHORT_SESSION_SECONDS = 10;

function isShortSession(email) {
  return String(email ?? '').startsWith('short-session');
}

function tokenLifetime(email) {
  return isShortSession(email) ? SHORT_SESSION_SECONDS : 3600;
}

function resourceServer(audience, email) {
  return {
    scope: 'openid email',
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: tokenLifetime(email),
    jwt: { sign: { alg: 'RS256' } },
  };
}

function account(email) {
  const id = String(email ?? '').trim().toLowerCase();
  if (!EMAIL.test(id)) return undefined;
  return {
    accountId: id,
    claims: async () => ({ sub: id, email: id, email_verified: true }),
  };
}

function realmProvider(realm, { audience, clientId, clientSecret, appPorts }) {
  const resource = resourceOf(audience);
  const origins = appOrigins(appPorts);
  const provider = new Provider(`${base}/realms/${realm}`, {
    jwks: { keys: [signingKey(realm)] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['authorization_code', 'refresh_token', DEV_GRANT],
        response_types: ['code'],
        redirect_uris: origins.map((o) => `${o}/api/auth/callback`),
        post_logout_redirect_uris: origins.map((o) => `${o}/signed-out`),
      },
    ],
    pkce: { required: () => true },
    loadExistingGrant: grantWithoutConsent(resource),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email', 'offline_access'],
    findAccount: (ctx, id) => account(id),
    extraTokenClaims: (ctx, token) => (token.accountId ? { email: token.accountId, email_verified: true } : {}),
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator} (this realm's API is ${resource})`);
          return resourceServer(audience, ctx.oidc.entities.AuthorizationCode?.accountId ?? ctx.oidc.session?.accountId);
        },
      },
    },
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      Session: (ctx, session) => (isShortSession(session.accountId) ? SHORT_SESSION_SECONDS : 14 * 24 * 3600),
    },
  });

  provider.registerGrantType(
    DEV_GRANT,
    async (ctx) => {
      const found = account(ctx.oidc.params.email);
      if (!found) throw new errors.InvalidRequest('email is missing or not an email address');
      const token = new provider.AccessToken({
        accountId: found.accountId,
        client: ctx.oidc.client,
        gty: DEV_GRANT,
        scope: 'openid email',
      });
      token.resourceServer = resourceServer(audience, found.accountId);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    ['email'],
  );
  return provider;
}

const mounted = Object.entries(REALMS).map(([realm, config]) => ({
  prefix: `/realms/${realm}`,
  callback: realmProvider(realm, config).callback(),
}));

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', source: SOURCE }));
    return;
  }
  const target = mounted.find(({ prefix }) => req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`));
  if (!target) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    return;
  }
  req.originalUrl = req.url;
  req.url = req.url.slice(target.prefix.length) || '/';
  target.callback(req, res);
});

server.listen(port, host, () => {
  console.log(`lana dev OIDC provider listening on ${base} (realms: ${Object.keys(REALMS).join(', ')})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
