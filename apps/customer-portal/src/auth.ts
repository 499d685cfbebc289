import { authRoutes } from '@lana/shared/bff';
import { configFromEnv } from '@lana/shared/session';

/** The customer portal's settings: the customer realm and the customer API (defaults: dev/up's stack). */
export const config = configFromEnv({
  appUrl: 'http://127.0.0.1:3001',
  issuer: 'http://127.0.0.1:8081/realms/customer',
  clientId: 'lana-customer-portal',
  clientSecret: 'dev-customer-secret',
  sessionSecret: 'development-only-customer-portal-session-secret',
  graphqlUrl: 'http://127.0.0.1:5254/graphql',
  cookieName: 'lana_portal_session',
});
export const routes = authRoutes(config);
