'use client';
/**
 * Apollo Client against the app's own `/api/graphql` (the backend-for-frontend adds the token).
 * A request refused for want of a session sends the browser back to the login.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { ApolloProvider } from '@apollo/client/react';
import { useState, type ReactNode } from 'react';
import { isUnauthenticated } from '../errors';

export function loginUrl(): string {
  const here = window.location.pathname + window.location.search;
  return `/api/auth/login?returnTo=${encodeURIComponent(here)}`;
}

function makeClient() {
  const toLogin = new ErrorLink(({ error }) => {
    if (isUnauthenticated(error)) window.location.assign(loginUrl());
  });
  return new ApolloClient({
    link: ApolloLink.from([toLogin, new HttpLink({ uri: '/api/graphql', credentials: 'same-origin' })]),
    cache: new InMemoryCache(),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const [client] = useState(makeClient);
  return <ApolloProvider client={client}>{children}</ApolloProvider>;
}

/**
 * A fresh Idempotency-Key per intended operation: the same key while a form is retried, a new one
 * once it succeeded (`renew`). Sent as the `Idempotency-Key` header of money-moving mutations.
 */
export function useIdempotencyKey(): [string, () => void] {
  const [key, setKey] = useState(() => crypto.randomUUID());
  return [key, () => setKey(crypto.randomUUID())];
}

export function idempotent(key: string) {
  return { headers: { 'Idempotency-Key': key } };
}
