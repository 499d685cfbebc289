/**
 * The server-side session of a web app (backend-for-frontend): the tokens live in an encrypted,
 * httpOnly, SameSite=Lax cookie that browser JavaScript can neither read nor send cross-site. The
 * session ends when the access token expires (no refresh token is kept): the next page or API
 * call then goes back to the login.
 */
import { EncryptJWT, jwtDecrypt } from 'jose';

export interface AppConfig {
  /** Where the app is served, as the browser sees it (the OIDC redirect URIs derive from it). */
  appUrl: string;
  /** The realm's issuer URL (discovery at `/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Encrypts the session cookies; at least 32 characters. */
  sessionSecret: string;
  /** The Lana GraphQL endpoint the app's `/api/graphql` forwards to. */
  graphqlUrl: string;
  /** The session cookie's name; distinct per app, as cookies do not tell ports apart. */
  cookieName: string;
}

/**
 * The app's configuration from the environment (`APP_URL`, `OIDC_ISSUER`, `OIDC_CLIENT_ID`,
 * `OIDC_CLIENT_SECRET`, `SESSION_SECRET`, `LANA_GRAPHQL_URL`), each defaulting to the
 * development stack of `dev/up`. Read at request time, never baked into the build.
 */
export function configFromEnv(defaults: AppConfig): AppConfig {
  const env = (name: string, fallback: string) => process.env[name] || fallback;
  const config: AppConfig = {
    appUrl: env('APP_URL', defaults.appUrl).replace(/\/+$/, ''),
    issuer: env('OIDC_ISSUER', defaults.issuer),
    clientId: env('OIDC_CLIENT_ID', defaults.clientId),
    clientSecret: env('OIDC_CLIENT_SECRET', defaults.clientSecret),
    sessionSecret: env('SESSION_SECRET', defaults.sessionSecret),
    graphqlUrl: env('LANA_GRAPHQL_URL', defaults.graphqlUrl),
    cookieName: defaults.cookieName,
  };
  if (config.sessionSecret.length < 32) throw new Error('SESSION_SECRET must be at least 32 characters');
  return config;
}

export interface Session {
  accessToken: string;
  /** Sent back to the provider at logout (`id_token_hint`). */
  idToken: string | null;
  email: string | null;
  /** Seconds since the epoch when the access token (and so the session) expires. */
  expiresAt: number;
}

const keys = new Map<string, Promise<Uint8Array>>();
function keyFor(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)).then((d) => new Uint8Array(d));
    keys.set(secret, key);
  }
  return key;
}

/** Encrypts a value (A256GCM) that expires at `expiresAt` (seconds). */
export async function seal(value: Record<string, unknown>, secret: string, expiresAt: number): Promise<string> {
  return new EncryptJWT(value)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .encrypt(await keyFor(secret));
}

/** The value sealed by `seal`, or null if it is missing, tampered with, or expired at `now`. */
export async function unseal(sealed: string | undefined, secret: string, now = new Date()): Promise<Record<string, unknown> | null> {
  if (!sealed) return null;
  try {
    const { payload } = await jwtDecrypt(sealed, await keyFor(secret), { currentDate: now });
    return payload;
  } catch {
    return null;
  }
}

export async function readSession(sealed: string | undefined, config: AppConfig, now = new Date()): Promise<Session | null> {
  const payload = await unseal(sealed, config.sessionSecret, now);
  if (!payload || typeof payload.accessToken !== 'string' || typeof payload.expiresAt !== 'number') return null;
  if (payload.expiresAt <= Math.floor(now.getTime() / 1000)) return null;
  return {
    accessToken: payload.accessToken,
    idToken: typeof payload.idToken === 'string' ? payload.idToken : null,
    email: typeof payload.email === 'string' ? payload.email : null,
    expiresAt: payload.expiresAt,
  };
}

export function sealSession(session: Session, config: AppConfig): Promise<string> {
  return seal({ ...session }, config.sessionSecret, session.expiresAt);
}

/**
 * A path inside the app to return to after login; anything that would leave the app (`//host`,
 * `/\host`, a tab or newline the URL parser drops, another scheme) is `/`.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith('/')) return '/';
  const base = 'http://app.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base || /[\u0000-\u001f\\]/.test(value)) return '/';
  return url.pathname + url.search + url.hash;
}
