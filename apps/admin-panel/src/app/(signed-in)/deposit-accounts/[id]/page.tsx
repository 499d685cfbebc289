'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import {
  ActionForm, AmountInput, Card, Details, Empty, ErrorNotice, Field, Figure, Loading, PageHeader, Pager, Status, Usd, When,
  readAmount, useCursorPager,
} from '@lana/shared/ui/components';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { graphql } from '@/gql';
import { CustomerLink } from '@/components/customer-email';
import { Allowed, useMe } from '@/permissions';
import { HistoryTable } from '@lana/shared/ui/history';
import { historyHref } from '@/components/history';
import { OpenWithdrawals } from '@/components/withdrawals';

const AccountQuery = graphql(`
  query DepositAccountDetail($id: UUID!, $first: Int!, $after: String) {
    depositAccount(id: $id) {
      id
      publicId
      customerId
      status
      activity
      createdAt
      balance {
        settled
        pending
        available
        frozen
      }
      history(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...HistoryRow
        }
      }
    }
  }
`);
const DepositRecord = graphql(`
  mutation DepositRecord($input: DepositRecordInput!) {
    depositRecord(input: $input) {
      deposit {
        id
      }
    }
  }
`);
const WithdrawalInitiate = graphql(`
  mutation WithdrawalInitiate($input: WithdrawalInitiateInput!) {
    withdrawalInitiate(input: $input) {
      withdrawal {
        id
        status
      }
    }
  }
`);
const AccountFreeze = graphql(`
  mutation DepositAccountFreeze($input: DepositAccountFreezeInput!) {
    depositAccountFreeze(input: $input) {
      account {
        id
        status
      }
    }
  }
`);
const AccountUnfreeze = graphql(`
  mutation DepositAccountUnfreeze($input: DepositAccountUnfreezeInput!) {
    depositAccountUnfreeze(input: $input) {
      account {
        id
        status
      }
    }
  }
`);
const AccountClose = graphql(`
  mutation DepositAccountClose($input: DepositAccountCloseInput!) {
    depositAccountClose(input: $input) {
      account {
        id
        status
      }
    }
  }
`);

export default function DepositAccountPage() {
  const { id } = useParams<{ id: string }>();
  const me = useMe();
  const pager = useCursorPager();
  const { data, error, refetch } = useQuery(AccountQuery, { variables: { id, first: 20, after: pager.after } });
  const account = data?.depositAccount;
  const [depositKey, renewDepositKey] = useIdempotencyKey();
  const [withdrawalKey, renewWithdrawalKey] = useIdempotencyKey();
  const [recordDeposit] = useMutation(DepositRecord);
  const [initiateWithdrawal] = useMutation(WithdrawalInitiate);
  const [freeze] = useMutation(AccountFreeze);
  const [unfreeze] = useMutation(AccountUnfreeze);
  const [close] = useMutation(AccountClose);
  const input = { depositAccountId: id };
  const reload = async () => {
    pager.reset();
    await refetch({ id, first: 20, after: null });
  };
  return (
    <>
      <p className="crumbs">
        <Link href="/deposit-accounts">Deposit accounts</Link>
        {account ? (
          <>
            {' / '}
            <CustomerLink id={account.customerId} />
          </>
        ) : null}
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the account" /> : null}
      {data && !account ? <p>No such deposit account.</p> : null}
      {account ? (
        <>
          <PageHeader title={`Account ${account.publicId}`}>
            <Status value={account.status} />
            <span className="muted">
              Activity: <Status value={account.activity} />
            </span>
          </PageHeader>
          <section className="figures" aria-label="Balance">
            <Figure label="Settled">
              <Usd cents={account.balance.settled} />
            </Figure>
            <Figure label="Pending withdrawals">
              <Usd cents={account.balance.pending} />
            </Figure>
            <Figure label="Available">
              <span data-testid="available-balance">
                <Usd cents={account.balance.available} />
              </span>
            </Figure>
            <Figure label="Frozen">
              <Usd cents={account.balance.frozen} />
            </Figure>
          </section>
          {account.status === 'ACTIVE' && (me.can('deposit/deposit', 'deposit:write') || me.can('deposit/withdrawal', 'deposit:write')) ? (
            <div className="grid">
              <Allowed object="deposit/deposit" action="deposit:write">
                <Card title="Record a deposit">
                  <ActionForm
                    label="Record a deposit"
                    submitLabel="Record deposit"
                    className="stacked"
                    onSubmit={async (form) => {
                      const amount = readAmount(form, 'amount', 'USD');
                      const reference = String(form.get('reference') ?? '') || null;
                      await recordDeposit({ variables: { input: { ...input, amount, reference } }, context: idempotent(depositKey) });
                      renewDepositKey();
                      await reload();
                    }}
                  >
                    <AmountInput name="amount" currency="USD" label="Amount" />
                    <Field label="Reference">
                      <input name="reference" autoComplete="off" placeholder="e.g. wire 2026-0001" />
                    </Field>
                  </ActionForm>
                </Card>
              </Allowed>
              <Allowed object="deposit/withdrawal" action="deposit:write">
                <Card title="Initiate a withdrawal">
                  <ActionForm
                    label="Initiate a withdrawal"
                    submitLabel="Initiate withdrawal"
                    className="stacked"
                    onSubmit={async (form) => {
                      const amount = readAmount(form, 'amount', 'USD');
                      const reference = String(form.get('reference') ?? '') || null;
                      await initiateWithdrawal({ variables: { input: { ...input, amount, reference } }, context: idempotent(withdrawalKey) });
                      renewWithdrawalKey();
                      await reload();
                    }}
                  >
                    <AmountInput name="amount" currency="USD" label="Amount" />
                    <Field label="Reference">
                      <input name="reference" autoComplete="off" placeholder="e.g. payout to bank" />
                    </Field>
                  </ActionForm>
                </Card>
              </Allowed>
            </div>
          ) : null}
          <OpenWithdrawalsCard ids={openWithdrawalIds(account.history.nodes)} onDone={() => void reload()} />
          <Card title="History">
            {account.history.nodes.length === 0 ? <Empty>Nothing has happened on this account yet.</Empty> : <HistoryTable entries={account.history.nodes} hrefFor={historyHref} />}
            <Pager pager={pager} pageInfo={account.history.pageInfo} />
          </Card>
          <Card title="Account">
            <Details
              rows={[
                ['Account number', account.publicId],
                ['Status', <Status key="s" value={account.status} />],
                ['Opened', <When key="o" at={account.createdAt} />],
              ]}
            />
            <Allowed object="deposit/account" action="deposit:write">
              {account.status !== 'CLOSED' ? (
                <div className="action-form">
                  {account.status === 'ACTIVE' ? (
                    <ActionForm label="Freeze account" submitLabel="Freeze account" onSubmit={async () => void (await freeze({ variables: { input } }), await reload())} />
                  ) : (
                    <ActionForm label="Unfreeze account" submitLabel="Unfreeze account" onSubmit={async () => void (await unfreeze({ variables: { input } }), await reload())} />
                  )}
                  <ActionForm
                    label="Close account"
                    danger
                    submitLabel="Close account"
                    onSubmit={async () => {
                      if (!window.confirm(`Close account ${account.publicId} for good?`)) return;
                      await close({ variables: { input } });
                    }}
                  />
                </div>
              ) : null}
            </Allowed>
          </Card>
        </>
      ) : null}
    </>
  );
}

/**
 * The withdrawals still holding money on this page of history: a hold (WITHDRAWAL_HOLD) whose
 * withdrawal has no entry yet that gives the held amount back (confirmed, cancelled or denied).
 */
function openWithdrawalIds(entries: { kind: string; entityId?: string | null; pending: boolean; amountIn: number }[]): string[] {
  const released = new Set(entries.filter((e) => e.pending && e.amountIn > 0 && e.entityId).map((e) => e.entityId));
  const held = entries.filter((e) => e.kind === 'WITHDRAWAL_HOLD' && e.entityId && !released.has(e.entityId)).map((e) => e.entityId as string);
  return [...new Set(held)];
}

function OpenWithdrawalsCard({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  if (ids.length === 0) return null;
  return (
    <Card title="Withdrawals in progress">
      <p className="muted">Waiting for approval, or approved and waiting to be confirmed (once confirmed, the money leaves).</p>
      <OpenWithdrawals ids={ids} onDone={onDone} />
    </Card>
  );
}
