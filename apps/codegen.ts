// Types generated from the committed SDLs (lana/*-server/schema.graphql), run before every
// typecheck and build: a schema change that breaks a page's query fails `tsc` and `next build`.
// Each app gets typed documents for its own API (client preset: `graphql(...)` returns a typed
// document); the shared code gets both APIs' enums (the error codes). Output is not committed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const scalars = {
  UUID: 'string',
  DateTime: 'string',
  Date: 'string',
  Decimal: 'string',
  JSON: 'unknown',
  // sent as decimal strings (exact beyond 2^53), returned as JSON numbers
  UsdCents: { input: 'string', output: 'number' },
  Satoshis: { input: 'string', output: 'number' },
  // signed minor units of the currency named beside it (accounting), likewise
  MinorUnits: { input: 'string', output: 'number' },
};
const typesConfig = { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true, avoidOptionals: false };
const admin = '../lana/admin-server/schema.graphql';
const customer = '../lana/customer-server/schema.graphql';

const config: CodegenConfig = {
  overwrite: true,
  ignoreNoDocuments: false,
  generates: {
    'admin-panel/src/gql/': {
      schema: admin,
      documents: ['admin-panel/src/**/*.{ts,tsx}', '!admin-panel/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: typesConfig,
    },
    'customer-portal/src/gql/': {
      schema: customer,
      documents: ['customer-portal/src/**/*.{ts,tsx}', '!customer-portal/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: typesConfig,
    },
    'shared/src/generated/admin-enums.ts': { schema: admin, plugins: ['typescript'], config: { ...typesConfig, onlyEnums: true } },
    'shared/src/generated/customer-enums.ts': { schema: customer, plugins: ['typescript'], config: { ...typesConfig, onlyEnums: true } },
  },
};
export default config;
