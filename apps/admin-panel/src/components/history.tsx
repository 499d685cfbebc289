import { graphql } from '@/gql';
import type { HistoryRowFragment } from '@/gql/graphql';

graphql(`
  fragment HistoryRow on HistoryEntry {
    kind
    entityId
    amountIn
    amountOut
    pending
    effective
    recordedAt
  }
`);

/** The admin page of a history entry's deposit, withdrawal or disbursal. */
export function historyHref(entry: HistoryRowFragment): string | null {
  if (!entry.entityId) return null;
  if (entry.kind.startsWith('WITHDRAWAL')) return `/withdrawals/${entry.entityId}`;
  if (entry.kind.startsWith('DEPOSIT')) return `/deposits/${entry.entityId}`;
  if (entry.kind === 'CREDIT_DISBURSAL') return `/disbursals/${entry.entityId}`;
  return null;
}
