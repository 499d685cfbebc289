// Development OpenID Connect provider for Lana, on loopback only.
//
// Two realms, as in Keycloak: `internal` (staff, audience lana-admin) and `customer` (customers,
// audience lana-customer), each its own issuer with its own RS256 signing key:
//   http://127.0.0.1:<port>/realms/<realm>/.well-known/openid-configuration
// Access tokens are JWTs signed by the realm key and carry `email` and `email_verified`.
//
// Getting a token:
// - Interactive (as Keycloak's dev realm): the authorization code flow with the built-in login
//   page, which accepts any email address as the login.
// - Scripted: the grant `urn:lana:params:oauth:grant-type:dev-email` at the realm's token endpoint
//   with `email=<address>` and the realm's client credentials. `dev/token` wraps it.
//
// Signing keys are PKCS#8 PEM files in $OIDC_STATE_DIR (default .lana/oidc), made on first start
// and kept, so tokens stay valid across restarts and tests can read the key to forge bad tokens.

import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import Provider, { errors } from 'oidc-provider';

const host = '127.0.0.1';
const port = Number(process.env.OIDC_PORT ?? 8081);
const stateDir = process.env.OIDC_STATE_DIR ?? '.lana/oidc';
const base = `http://${host}:${port}`;
const DEV_GRANT = 'urn:lana:params:oauth:grant-type:dev-email';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const REALMS = {
  internal: { audience: 'lana-admin', clientId: 'lana-admin-panel', clientSecret: 'dev-admin-secret' },
  customer: { audience: 'lana-customer', clientId: 'lana-customer-portal', clientSecret: 'dev-customer-secret' },
};

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

function resourceServer(audience) {
  return {
    scope: 'openid email',
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: 3600,
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

function realmProvider(realm, { audience, clientId, clientSecret }) {
  const provider = new Provider(`${base}/realms/${realm}`, {
    jwks: { keys: [signingKey(realm)] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['authorization_code', 'refresh_token', DEV_GRANT],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1:3000/callback', 'http://localhost:3000/callback'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email', 'offline_access'],
    findAccount: (ctx, id) => account(id),
    extraTokenClaims: (ctx, token) => (token.accountId ? { email: token.accountId, email_verified: true } : {}),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return resourceServer(audience);
        },
      },
    },
    ttl: { AccessToken: 3600 },
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
      token.resourceServer = resourceServer(audience);
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
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
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
