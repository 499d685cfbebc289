import type { CustomerType } from '@/gql/graphql';

/** Customer types as people say them, in the SDL's order. */
export const CUSTOMER_TYPES: [CustomerType, string][] = [
  ['INDIVIDUAL', 'Individual'],
  ['GOVERNMENT_ENTITY', 'Government entity'],
  ['PRIVATE_COMPANY', 'Private company'],
  ['BANK', 'Bank'],
  ['FINANCIAL_INSTITUTION', 'Financial institution'],
  ['FOREIGN_AGENCY_OR_SUBSIDIARY', 'Foreign agency or subsidiary'],
  ['NON_DOMICILED_COMPANY', 'Non-domiciled company'],
];
