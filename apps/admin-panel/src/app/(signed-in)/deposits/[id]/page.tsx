'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ActionForm, Card, Details, ErrorNotice, Loading, PageHeader, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const DepositQuery = graphql(`
  query Deposit($id: UUID!) {
    deposit(id: $id) {
      id
      accountId
      amount
      reference
      reverted
      createdAt
    }
  }
`);
const DepositRevert = graphql(`
  mutation DepositRevert($input: DepositRevertInput!) {
    depositRevert(input: $input) {
      deposit {
        id
        reverted
      }
    }
  }
`);

export default function DepositPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(DepositQuery, { variables: { id } });
  const [revert] = useMutation(DepositRevert);
  const d = data?.deposit;
  return (
    <>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the deposit" /> : null}
      {data && !d ? <p>No such deposit.</p> : null}
      {d ? (
        <>
          <p className="crumbs">
            <Link href={`/deposit-accounts/${d.accountId}`}>Back to the account</Link>
          </p>
          <PageHeader title="Deposit">{d.reverted ? <Status value="REVERTED" /> : null}</PageHeader>
          <Card title="Deposit">
            <Details
              rows={[
                ['Amount', <Usd key="a" cents={d.amount} />],
                ['Reference', d.reference || '—'],
                ['Reverted', d.reverted ? 'Yes' : 'No'],
                ['Recorded', <When key="c" at={d.createdAt} />],
              ]}
            />
          </Card>
          {!d.reverted ? (
            <Allowed object="deposit/deposit" action="deposit:write">
              <Card title="Revert">
                <p className="muted">Takes the deposit back out of the account (a new ledger transaction; nothing is edited).</p>
                <ActionForm
                  label="Revert deposit"
                  submitLabel="Revert deposit"
                  onSubmit={async () => {
                    if (!window.confirm('Revert this deposit?')) return;
                    await revert({ variables: { input: { depositId: id } } });
                  }}
                />
              </Card>
            </Allowed>
          ) : null}
        </>
      ) : null}
    </>
  );
}
