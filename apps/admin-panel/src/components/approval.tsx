'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { formatUsd } from '@lana/shared/money';
import { ActionForm, Field, InvalidInput, shortId } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { ApprovalRowFragment } from '@/gql/graphql';
import { useMe } from '@/permissions';

graphql(`
  fragment ApprovalRow on ApprovalProcess {
    id
    processType
    targetId
    status
    eligibleVoterIds
    approverIds
    deniedBy
    denialReason
    createdAt
  }
`);
const Approve = graphql(`
  mutation ApprovalProcessApprove($input: ApprovalProcessApproveInput!) {
    approvalProcessApprove(input: $input) {
      approvalProcess {
        ...ApprovalRow
      }
    }
  }
`);
const Deny = graphql(`
  mutation ApprovalProcessDeny($input: ApprovalProcessDenyInput!) {
    approvalProcessDeny(input: $input) {
      approvalProcess {
        ...ApprovalRow
      }
    }
  }
`);

const PROCESS_LABELS: Record<string, string> = {
  withdraw: 'Withdrawal',
  disbursal: 'Credit disbursal',
  'credit-facility-proposal': 'Credit proposal',
};

export function processLabel(processType: string): string {
  return PROCESS_LABELS[processType] ?? processType;
}

/** The admin page of what an approval process decides on. */
export function targetHref(p: Pick<ApprovalRowFragment, 'processType' | 'targetId'>): string | null {
  switch (p.processType) {
    case 'withdraw':
      return `/withdrawals/${p.targetId}`;
    case 'disbursal':
      return `/disbursals/${p.targetId}`;
    case 'credit-facility-proposal':
      return `/credit-facilities/${p.targetId}`;
    default:
      return null;
  }
}

const TargetAmounts = graphql(`
  query ApprovalTargetAmount($id: UUID!, $withdrawal: Boolean!, $disbursal: Boolean!, $proposal: Boolean!) {
    withdrawal(id: $id) @include(if: $withdrawal) {
      id
      amount
    }
    disbursal(id: $id) @include(if: $disbursal) {
      id
      amount
    }
    creditFacility(id: $id) @include(if: $proposal) {
      id
      amount
    }
  }
`);

/** What is being approved, with its amount, linked to its page. */
export function TargetLink({ process }: { process: ApprovalRowFragment }) {
  const href = targetHref(process);
  const { data } = useQuery(TargetAmounts, {
    variables: {
      id: process.targetId,
      withdrawal: process.processType === 'withdraw',
      disbursal: process.processType === 'disbursal',
      proposal: process.processType === 'credit-facility-proposal',
    },
  });
  const amount = data?.withdrawal?.amount ?? data?.disbursal?.amount ?? data?.creditFacility?.amount;
  const label = `${processLabel(process.processType)} ${amount === undefined ? shortId(process.targetId) : `of ${formatUsd(amount)}`}`;
  return href ? <Link href={href}>{label}</Link> : <span>{label}</span>;
}

/** Whether the signed-in user still has a vote to cast on the process. */
export function awaitsMe(process: ApprovalRowFragment, userId: string): boolean {
  return process.status === 'IN_PROGRESS' && process.eligibleVoterIds.includes(userId) && !process.approverIds.includes(userId);
}

/** Approve, or deny with a reason; shown only to an eligible voter who may vote. */
export function Vote({ process, onVoted }: { process: ApprovalRowFragment; onVoted?: () => void }) {
  const me = useMe();
  const [approve] = useMutation(Approve);
  const [deny] = useMutation(Deny);
  if (!awaitsMe(process, me.userId) || !me.can('governance/approval-process', 'governance:write')) return null;
  const input = { approvalProcessId: process.id };
  return (
    <div className="action-form">
      <ActionForm
        label={`Approve ${processLabel(process.processType)}`}
        submitLabel="Approve"
        onSubmit={async () => {
          await approve({ variables: { input } });
          onVoted?.();
        }}
      />
      <ActionForm
        label={`Deny ${processLabel(process.processType)}`}
        danger
        submitLabel="Deny"
        onSubmit={async (form) => {
          const reason = String(form.get('reason') ?? '').trim();
          if (!reason) throw new InvalidInput('Give a reason for the denial.');
          await deny({ variables: { input: { ...input, reason } } });
          onVoted?.();
        }}
      >
        <Field label="Reason for denial">
          <input name="reason" autoComplete="off" />
        </Field>
      </ActionForm>
    </div>
  );
}
