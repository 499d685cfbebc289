import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { describeError, errorCodes, isUnauthenticated, messageForCode } from './errors';

function graphqlError(code: string, message = 'server text', correlationId = 'corr-1') {
  return new CombinedGraphQLErrors({ errors: [{ message, extensions: { code, correlationId } }] });
}

describe('describeError', () => {
  it('reads a known code as its message, with the correlation id to quote', () => {
    expect(describeError(graphqlError('INSUFFICIENT_BALANCE'))).toEqual([
      { code: 'INSUFFICIENT_BALANCE', message: 'The account has too little available for this.', reference: 'corr-1' },
    ]);
  });
  it('adds the server detail where it names the field or the amount', () => {
    const [e] = describeError(graphqlError('INVALID_TERMS', 'marginCallCvl must be above liquidationCvl'));
    expect(e?.message).toBe('The terms are not valid. marginCallCvl must be above liquidationCvl');
  });
  it('adds what the custodian answered to its refusal (never a secret: the server leaves them out)', () => {
    const [e] = describeError(graphqlError('CUSTODIAN_REJECTED', 'the custodian answered 401: unauthorized'));
    expect(e?.message).toBe('The custodian refused the request (check the access credentials, the enterprise or wallet, and the coin). the custodian answered 401: unauthorized');
  });
  it('never shows the server text of an internal error', () => {
    const [e] = describeError(graphqlError('INTERNAL', 'connection refused at db:5432'));
    expect(e?.message).not.toContain('5432');
  });
  it('falls back to the server message for a code it does not know', () => {
    expect(describeError(graphqlError('BANK_UNREACHABLE', 'The bank server does not answer.'))[0]?.message).toBe('The bank server does not answer.');
  });
  it('reads the errors of a non-2xx JSON answer', () => {
    const response = new Response(null, { status: 400 });
    const error = new ServerError('bad', { response, bodyText: JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'QUERY_TOO_COMPLEX' } }] }) });
    expect(describeError(error)[0]?.code).toBe('QUERY_TOO_COMPLEX');
  });
  it('says the bank could not be reached for a network failure', () => {
    expect(describeError(new TypeError('fetch failed'))[0]?.message).toMatch(/could not be reached/);
  });
});

describe('isUnauthenticated', () => {
  it('is true for the code and for an HTTP 401', () => {
    expect(isUnauthenticated(graphqlError('UNAUTHENTICATED'))).toBe(true);
    expect(isUnauthenticated(new ServerError('401', { response: new Response(null, { status: 401 }), bodyText: '' }))).toBe(true);
  });
  it('is false for a refusal of the role', () => {
    expect(isUnauthenticated(graphqlError('NOT_AUTHORIZED'))).toBe(false);
  });
});

it('has a readable sentence for every code of both APIs, none left as the bare code', () => {
  const codes = errorCodes();
  expect(codes.length).toBeGreaterThan(50);
  for (const code of codes) {
    expect(messageForCode(code)).toMatch(/^[A-Z].*\.$/);
    expect(messageForCode(code)).not.toContain(code);
  }
});
