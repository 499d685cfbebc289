// One lint for the workspace: Next.js's core-web-vitals and TypeScript rules over both apps, the
// shared code and the browser tests.
import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    settings: { next: { rootDir: ['admin-panel/', 'customer-portal/'] } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  globalIgnores(['**/node_modules/**', '**/.next/**', '**/.next-test/**', '**/gql/**', 'shared/src/generated/**', '**/next-env.d.ts']),
]);
