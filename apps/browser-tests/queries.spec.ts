// Every query the apps can send (the generated documents) is within the servers' limits on depth
// and complexity: those are only enforced at run time, so a page could otherwise build and fail.
import { expect, test } from '@playwright/test';
import { Kind, print, type DocumentNode, type OperationDefinitionNode, type TypeNode } from 'graphql';
import * as adminDocuments from '../admin-panel/src/gql/graphql';
import * as portalDocuments from '../customer-portal/src/gql/graphql';
import { ADMIN_API, CUSTOMER_API, SEEDED_CUSTOMER, SUPERUSER, customerToken, staffToken } from './support';

const LIMIT_CODES = ['QUERY_TOO_COMPLEX', 'QUERY_TOO_DEEP', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'];

function queries(module: Record<string, unknown>): [string, DocumentNode][] {
  return Object.entries(module).filter((entry): entry is [string, DocumentNode] => {
    const doc = entry[1] as DocumentNode | undefined;
    return doc?.kind === Kind.DOCUMENT && doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'query');
  });
}

/** A valid value of each type a required variable has (a string for the others). */
const SAMPLES: Record<string, () => unknown> = {
  Int: () => 50,
  UUID: () => crypto.randomUUID(),
  Boolean: () => true,
  Date: () => '2026-01-31',
  Currency: () => 'USD',
  BalanceLayer: () => 'SETTLED',
};

/** A value for each required variable: a page size, a (random) id, every optional part included. */
function variablesFor(doc: DocumentNode): Record<string, unknown> {
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const variables: Record<string, unknown> = {};
  for (const v of operation?.variableDefinitions ?? []) {
    const type: TypeNode = v.type;
    if (type.kind !== Kind.NON_NULL_TYPE || type.type.kind !== Kind.NAMED_TYPE) continue;
    variables[v.variable.name.value] = SAMPLES[type.type.name.value]?.() ?? '';
  }
  return variables;
}

for (const [app, module, least, api, token] of [
  ['admin panel', adminDocuments, 30, ADMIN_API, () => staffToken(SUPERUSER)],
  ['customer portal', portalDocuments, 4, CUSTOMER_API, () => customerToken(SEEDED_CUSTOMER)],
] as const) {
  test(`every query of the ${app} is within the server's limits`, async ({ request }) => {
    const documents = queries(module);
    expect(documents.length).toBeGreaterThanOrEqual(least); // the generated documents were found
    const bearer = await token();
    for (const [name, doc] of documents) {
      const response = await request.post(api, {
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        data: { query: print(doc), variables: variablesFor(doc) },
      });
      const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      const refused = (body.errors ?? []).filter((e) => LIMIT_CODES.includes(e.extensions?.code ?? ''));
      expect(refused, `${name}: ${refused.map((e) => e.message).join('; ')}`).toEqual([]);
    }
  });
}
