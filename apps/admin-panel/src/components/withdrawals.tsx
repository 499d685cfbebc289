'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { ActionForm, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { WithdrawalRowFragment } from '@/gql/graphql';
import { Allowed } from '@/permissions';

graphql(`
  fragment WithdrawalRow on Withdrawal {
    id
    accountId
    amount
    reference
    status
    approvalProcessId
    denialReason
    createdAt
  }
`);
const WithdrawalRowQuery = graphql(`
  query WithdrawalRow($id: UUID!) {
    withdrawal(id: $id) {
      ...WithdrawalRow
    }
  }
`);
const WithdrawalConfirm = graphql(`
  mutation WithdrawalConfirm($input: WithdrawalConfirmInput!) {
    withdrawalConfirm(input: $input) {
      withdrawal {
        ...WithdrawalRow
      }
    }
  }
`);
const WithdrawalCancel = graphql(`
  mutation WithdrawalCancel($input: WithdrawalCancelInput!) {
    withdrawalCancel(input: $input) {
      withdrawal {
        ...WithdrawalRow
      }
    }
  }
`);
const WithdrawalRevert = graphql(`
  mutation WithdrawalRevert($input: WithdrawalRevertInput!) {
    withdrawalRevert(input: $input) {
      withdrawal {
        ...WithdrawalRow
      }
    }
  }
`);

/** Confirm, cancel or revert, as the withdrawal's status allows and the role may. */
export function WithdrawalActions({ withdrawal, onDone }: { withdrawal: WithdrawalRowFragment; onDone?: () => void }) {
  const [confirm] = useMutation(WithdrawalConfirm);
  const [cancel] = useMutation(WithdrawalCancel);
  const [revert] = useMutation(WithdrawalRevert);
  const input = { withdrawalId: withdrawal.id };
  const done = () => onDone?.();
  const { status } = withdrawal;
  return (
    <Allowed object="deposit/withdrawal" action="deposit:write">
      <div className="action-form">
        {status === 'APPROVED' ? (
          <ActionForm label="Confirm withdrawal" submitLabel="Confirm withdrawal (money leaves)" onSubmit={async () => void (await confirm({ variables: { input } }), done())} />
        ) : null}
        {status === 'PENDING_APPROVAL' || status === 'APPROVED' ? (
          <ActionForm label="Cancel withdrawal" submitLabel="Cancel withdrawal" danger onSubmit={async () => void (await cancel({ variables: { input } }), done())} />
        ) : null}
        {status === 'CONFIRMED' ? (
          <ActionForm label="Revert withdrawal" submitLabel="Revert withdrawal" danger onSubmit={async () => void (await revert({ variables: { input } }), done())} />
        ) : null}
        {status === 'PENDING_APPROVAL' ? <p className="muted">Waiting for approval: see the approvals queue.</p> : null}
      </div>
    </Allowed>
  );
}

/** One withdrawal of the account, shown while it still needs a step (approval or confirmation). */
function OpenWithdrawal({ id, onDone }: { id: string; onDone: () => void }) {
  const { data } = useQuery(WithdrawalRowQuery, { variables: { id } });
  const w = data?.withdrawal;
  if (!w || (w.status !== 'PENDING_APPROVAL' && w.status !== 'APPROVED')) return null;
  return (
    <tr>
      <td>
        <Link href={`/withdrawals/${w.id}`}>
          <Usd cents={w.amount} />
        </Link>
      </td>
      <td>{w.reference || '—'}</td>
      <td>
        <Status value={w.status} />
      </td>
      <td>
        <When at={w.createdAt} />
      </td>
      <td>
        <WithdrawalActions withdrawal={w} onDone={onDone} />
      </td>
    </tr>
  );
}

/** The withdrawals (by id, from the account's history) still waiting for approval or confirmation. */
export function OpenWithdrawals({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  if (ids.length === 0) return null;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Open withdrawals">
        <thead>
          <tr>
            <th>Amount</th>
            <th>Reference</th>
            <th>Status</th>
            <th>Initiated</th>
            <th>Next step</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <OpenWithdrawal key={id} id={id} onDone={onDone} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
