import { describe, expect, it } from 'vitest';
import { readSession, safeReturnPath, sealSession, type AppConfig } from './session';

const config: AppConfig = {
  appUrl: 'http://127.0.0.1:3000',
  issuer: 'http://127.0.0.1:8081/realms/internal',
  clientId: 'c',
  clientSecret: 's',
  sessionSecret: 'a-test-secret-of-at-least-32-characters',
  graphqlUrl: 'http://127.0.0.1:5253/graphql',
  cookieName: 'test_session',
};
const now = new Date('2026-12-01T12:00:00Z');
const inSeconds = (s: number) => Math.floor(now.getTime() / 1000) + s;

describe('session cookie', () => {
  it('reads back what it sealed, encrypted (no token visible in the cookie)', async () => {
    const session = { accessToken: 'header.payload.signature', idToken: 'id', email: 'a@b.co', expiresAt: inSeconds(600) };
    const sealed = await sealSession(session, config);
    expect(sealed).not.toContain('header.payload');
    expect(await readSession(sealed, config, now)).toEqual(session);
  });
  it('ends when the access token expires', async () => {
    const sealed = await sealSession({ accessToken: 't', idToken: null, email: null, expiresAt: inSeconds(60) }, config);
    expect(await readSession(sealed, config, new Date(now.getTime() + 59_000))).not.toBeNull();
    expect(await readSession(sealed, config, new Date(now.getTime() + 61_000))).toBeNull();
  });
  it('refuses a cookie sealed with another secret or tampered with', async () => {
    const sealed = await sealSession({ accessToken: 't', idToken: null, email: null, expiresAt: inSeconds(600) }, config);
    expect(await readSession(sealed, { ...config, sessionSecret: 'another-secret-of-at-least-32-characters' }, now)).toBeNull();
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await readSession(tampered, config, now)).toBeNull();
    expect(await readSession(undefined, config, now)).toBeNull();
  });
});

describe('safeReturnPath', () => {
  it.each([
    ['/customers?x=1', '/customers?x=1'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/credit/abc#payments', '/credit/abc#payments'],
    [null, '/'],
  ])('%s -> %s', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});
