/**
 * The backend-for-frontend routes each app mounts under `/api`: the OIDC authorization-code flow
 * with PKCE (S256), state and nonce (openid-client), logout (the session cookie cleared, then the
 * provider's end-session endpoint), and `/api/graphql`, which forwards the browser's GraphQL
 * requests to the Lana server with the session's bearer token. No token reaches the browser.
 */
import { NextResponse, type NextRequest } from 'next/server';
import * as oidc from 'openid-client';
import { readSession, safeReturnPath, seal, sealSession, unseal, type AppConfig } from './session';

const FLOW_TTL_SECONDS = 600;
const MAX_GRAPHQL_BODY = 1 << 20;
const UPSTREAM_TIMEOUT_MS = 30_000;
const CALLBACK = '/api/auth/callback';
const SIGNED_OUT = '/signed-out';

const discoveries = new Map<string, Promise<oidc.Configuration>>();

/** The provider's metadata, fetched once per process (again after a failure). */
function provider(config: AppConfig): Promise<oidc.Configuration> {
  let found = discoveries.get(config.issuer);
  if (!found) {
    const issuer = new URL(config.issuer);
    found = oidc.discovery(issuer, config.clientId, config.clientSecret, undefined, {
      execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    });
    found.catch(() => discoveries.delete(config.issuer));
    discoveries.set(config.issuer, found);
  }
  return found;
}

/** One login cookie per flow (by its state), so logins started in several tabs do not clash. */
function flowCookieName(config: AppConfig, state: string) {
  return `${config.cookieName}_login_${state}`;
}

/** httpOnly, SameSite=Lax, and Secure whenever the app is served over HTTPS. */
function cookieOptions(config: AppConfig, maxAge: number, path = '/') {
  return { httpOnly: true, sameSite: 'lax' as const, secure: config.appUrl.startsWith('https:'), path, maxAge };
}

function failure(status: number, title: string, detail: string) {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#1a1a1a">
<h1>${title}</h1><p>${detail}</p><p><a href="/">Try again</a></p></body></html>`;
  return new NextResponse(html, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function unauthenticated(config: AppConfig) {
  const response = NextResponse.json(
    { errors: [{ message: 'no session', extensions: { code: 'UNAUTHENTICATED' } }] },
    { status: 401 },
  );
  response.cookies.delete(config.cookieName);
  return response;
}

export function authRoutes(config: AppConfig) {
  /** GET /api/auth/login?returnTo=/path: starts the authorization-code flow. */
  async function login(request: NextRequest) {
    const returnTo = safeReturnPath(request.nextUrl.searchParams.get('returnTo'));
    const app = new URL(config.appUrl);
    // The login cookie must be set on the host the provider redirects back to (APP_URL's): a
    // browser that came by another name (localhost for 127.0.0.1) starts there instead.
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
    if (host !== app.host) {
      return NextResponse.redirect(new URL(`/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`, app));
    }
    let server: oidc.Configuration;
    try {
      server = await provider(config);
    } catch {
      return failure(503, 'Sign-in is unavailable', 'The identity provider does not answer. Try again in a moment.');
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(server, {
      redirect_uri: config.appUrl + CALLBACK,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const expiresAt = Math.floor(Date.now() / 1000) + FLOW_TTL_SECONDS;
    const response = NextResponse.redirect(url);
    const flow = await seal({ verifier, state, nonce, returnTo }, config.sessionSecret, expiresAt);
    response.cookies.set(flowCookieName(config, state), flow, cookieOptions(config, FLOW_TTL_SECONDS, '/api/auth'));
    return response;
  }

  /** GET /api/auth/callback: the provider's answer; exchanges the code, opens the session. */
  async function callback(request: NextRequest) {
    const state = request.nextUrl.searchParams.get('state') ?? '';
    const flowCookie = /^[\w-]{1,128}$/.test(state) ? flowCookieName(config, state) : null;
    const flow = flowCookie ? await unseal(request.cookies.get(flowCookie)?.value, config.sessionSecret) : null;
    if (!flowCookie || !flow || typeof flow.verifier !== 'string' || typeof flow.state !== 'string' || typeof flow.nonce !== 'string') {
      return failure(400, 'Sign-in expired', 'The sign-in took too long or was started elsewhere. Start again.');
    }
    const error = request.nextUrl.searchParams.get('error');
    if (error) {
      const description = request.nextUrl.searchParams.get('error_description') ?? error;
      return failure(401, 'Sign-in refused', `The identity provider said: ${description.replace(/[<>&"]/g, '')}`);
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        await provider(config),
        new URL(CALLBACK + request.nextUrl.search, config.appUrl),
        { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true },
      );
    } catch {
      return failure(401, 'Sign-in failed', 'The identity provider did not confirm the sign-in. Start again.');
    }
    const claims = tokens.claims();
    const expiresIn = tokens.expiresIn() ?? 300;
    const session = {
      accessToken: tokens.access_token,
      idToken: tokens.id_token ?? null,
      email: typeof claims?.email === 'string' ? claims.email : typeof claims?.sub === 'string' ? claims.sub : null,
      expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
    };
    const returnTo = safeReturnPath(typeof flow.returnTo === 'string' ? flow.returnTo : null);
    const response = NextResponse.redirect(new URL(returnTo, config.appUrl));
    response.cookies.set(config.cookieName, await sealSession(session, config), cookieOptions(config, expiresIn));
    response.cookies.delete({ name: flowCookie, path: '/api/auth' });
    return response;
  }

  /** A browser's cross-site POST (its Origin is another site's) is refused. */
  function crossSite(request: NextRequest): boolean {
    const origin = request.headers.get('origin');
    return origin !== null && origin !== new URL(config.appUrl).origin;
  }

  /** POST /api/auth/logout: clears the session, then ends the provider's session. */
  async function logout(request: NextRequest) {
    if (crossSite(request)) return failure(403, 'Refused', 'Sign out from the app itself.');
    const session = await readSession(request.cookies.get(config.cookieName)?.value, config);
    let target = new URL(SIGNED_OUT, config.appUrl);
    try {
      const server = await provider(config);
      if (server.serverMetadata().end_session_endpoint) {
        target = oidc.buildEndSessionUrl(server, {
          post_logout_redirect_uri: target.href,
          client_id: config.clientId,
          ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
        });
      }
    } catch {
      // the provider is down: the app's session is cleared all the same
    }
    const response = NextResponse.redirect(target, 303);
    response.cookies.delete(config.cookieName);
    return response;
  }

  /** POST /api/graphql: forwards to the Lana server with the session's bearer token. */
  async function graphql(request: NextRequest) {
    if (crossSite(request)) {
      return NextResponse.json({ errors: [{ message: 'cross-site request', extensions: { code: 'FORBIDDEN' } }] }, { status: 403 });
    }
    if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
      return NextResponse.json({ errors: [{ message: 'expected application/json', extensions: { code: 'BAD_REQUEST' } }] }, { status: 415 });
    }
    const session = await readSession(request.cookies.get(config.cookieName)?.value, config);
    if (!session) return unauthenticated(config);
    const body = await request.text();
    if (body.length > MAX_GRAPHQL_BODY) {
      return NextResponse.json({ errors: [{ message: 'request too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, { status: 413 });
    }
    const headers = new Headers({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${session.accessToken}`,
    });
    for (const name of ['idempotency-key', 'x-request-id']) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    let upstream: Response;
    try {
      upstream = await fetch(config.graphqlUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
    } catch {
      return NextResponse.json(
        { errors: [{ message: 'The bank server does not answer. Try again in a moment.', extensions: { code: 'BANK_UNREACHABLE' } }] },
        { status: 502 },
      );
    }
    if (upstream.status === 401) return unauthenticated(config);
    const response = new NextResponse(await upstream.text(), {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
    });
    const requestId = upstream.headers.get('x-request-id');
    if (requestId) response.headers.set('x-request-id', requestId);
    return response;
  }

  /**
   * For the apps' proxy.ts: pages need a live session, else they go to the login. The router's
   * background requests (prefetch, client navigation) get a bare 401 instead, which makes a
   * navigation reload the page as a whole (and so start one login, not several).
   */
  async function requireSession(request: NextRequest) {
    if (await readSession(request.cookies.get(config.cookieName)?.value, config)) return NextResponse.next();
    if (request.headers.has('rsc') || request.headers.has('next-router-prefetch')) {
      return new NextResponse(null, { status: 401 });
    }
    const returnTo = request.nextUrl.pathname + request.nextUrl.search;
    const response = NextResponse.redirect(new URL(`/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`, config.appUrl));
    response.cookies.delete(config.cookieName);
    return response;
  }


  /**
   * GET /api/exports/ledger-account/[id]: a completed export's file from the Lana server (its
   * `GET /exports/ledger-account/{id}`), with the session's bearer token, passed through as a
   * download.
   */
  async function ledgerExport(request: NextRequest, id: string) {
    const session = await readSession(request.cookies.get(config.cookieName)?.value, config);
    if (!session) return unauthenticated(config);
    if (!/^[0-9a-f-]{36}\.csv$/.test(id)) {
      return NextResponse.json({ errors: [{ message: 'no such export', extensions: { code: 'NOT_FOUND' } }] }, { status: 404 });
    }
    let upstream: Response;
    try {
      upstream = await fetch(new URL(`/exports/ledger-account/${id}`, config.graphqlUrl), {
        headers: { authorization: `Bearer ${session.accessToken}` },
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch {
      return NextResponse.json(
        { errors: [{ message: 'The bank server does not answer. Try again in a moment.', extensions: { code: 'BANK_UNREACHABLE' } }] },
        { status: 502 },
      );
    }
    if (upstream.status === 401) return unauthenticated(config);
    const headers = new Headers({ 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
    for (const name of ['content-disposition', 'x-request-id']) {
      const value = upstream.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new NextResponse(upstream.body, { status: upstream.status, headers });
  }

  return { login, callback, logout, graphql, ledgerExport, requireSession };
}

/** The session of the request being rendered (server components), or null. */
export async function currentSession(config: AppConfig) {
  const { cookies } = await import('next/headers');
  return readSession((await cookies()).get(config.cookieName)?.value, config);
}
