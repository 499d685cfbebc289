'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ActionForm, Card, Details, ErrorNotice, Loading, PageHeader, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const WithdrawalQuery = graphql(`
  query Withdrawal($id: UUID!) {
    withdrawal(id: $id) {
      id
      accountId
      amount
      reference
      status
      approvalProcessId
      denialReason
      createdAt
    }
  }
`);
const WithdrawalConfirm = graphql(`
  mutation WithdrawalConfirm($input: WithdrawalConfirmInput!) {
    withdrawalConfirm(input: $input) {
      withdrawal {
        id
        status
      }
    }
  }
`);
const WithdrawalCancel = graphql(`
  mutation WithdrawalCancel($input: WithdrawalCancelInput!) {
    withdrawalCancel(input: $input) {
      withdrawal {
        id
        status
      }
    }
  }
`);
const WithdrawalRevert = graphql(`
  mutation WithdrawalRevert($input: WithdrawalRevertInput!) {
    withdrawalRevert(input: $input) {
      withdrawal {
        id
        status
      }
    }
  }
`);

export default function WithdrawalPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(WithdrawalQuery, { variables: { id } });
  const [confirm] = useMutation(WithdrawalConfirm);
  const [cancel] = useMutation(WithdrawalCancel);
  const [revert] = useMutation(WithdrawalRevert);
  const w = data?.withdrawal;
  const input = { withdrawalId: id };
  return (
    <>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the withdrawal" /> : null}
      {data && !w ? <p>No such withdrawal.</p> : null}
      {w ? (
        <>
          <p className="crumbs">
            <Link href={`/deposit-accounts/${w.accountId}`}>Back to the account</Link>
          </p>
          <PageHeader title="Withdrawal">
            <Status value={w.status} />
          </PageHeader>
          <Card title="Withdrawal">
            <Details
              rows={[
                ['Amount', <Usd key="a" cents={w.amount} />],
                ['Reference', w.reference || '—'],
                ['Status', <Status key="s" value={w.status} />],
                ['Approval', <Link key="p" href={`/approvals/${w.approvalProcessId}`}>Approval process</Link>],
                ['Denial reason', w.denialReason ?? '—'],
                ['Initiated', <When key="c" at={w.createdAt} />],
              ]}
            />
          </Card>
          <Allowed object="deposit/withdrawal" action="deposit:write">
            <Card title="Actions">
              <div className="action-form">
                {w.status === 'APPROVED' ? (
                  <ActionForm label="Confirm withdrawal" submitLabel="Confirm withdrawal (money leaves)" onSubmit={async () => void (await confirm({ variables: { input } }))} />
                ) : null}
                {w.status === 'PENDING_APPROVAL' || w.status === 'APPROVED' ? (
                  <ActionForm label="Cancel withdrawal" submitLabel="Cancel withdrawal" onSubmit={async () => void (await cancel({ variables: { input } }))} />
                ) : null}
                {w.status === 'CONFIRMED' ? (
                  <ActionForm label="Revert withdrawal" submitLabel="Revert withdrawal" onSubmit={async () => void (await revert({ variables: { input } }))} />
                ) : null}
                {w.status === 'PENDING_APPROVAL' ? <p className="muted">Waiting for approval: see the approvals queue.</p> : null}
              </div>
            </Card>
          </Allowed>
        </>
      ) : null}
    </>
  );
}
