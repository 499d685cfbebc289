import { authRoutes } from '@lana/shared/bff';
import { configFromEnv } from '@lana/shared/session';

/** The admin panel's settings: the staff realm and the admin API (defaults: dev/up's stack). */
export const config = configFromEnv({
  appUrl: 'http://127.0.0.1:3000',
  issuer: 'http://127.0.0.1:8081/realms/internal',
  clientId: 'lana-admin-panel',
  clientSecret: 'dev-admin-secret',
  sessionSecret: 'development-only-admin-panel-session-secret',
  graphqlUrl: 'http://127.0.0.1:5253/graphql',
  cookieName: 'lana_admin_session',
});
export const routes = authRoutes(config);
