'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Details, ErrorNotice, Loading, PageHeader, Status, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { TargetLink, Vote, processLabel } from '@/components/approval';
import { UserEmail } from '@/components/users';

const ApprovalQuery = graphql(`
  query ApprovalProcess($id: UUID!) {
    approvalProcess(id: $id) {
      ...ApprovalRow
    }
  }
`);

export default function ApprovalPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(ApprovalQuery, { variables: { id } });
  const p = data?.approvalProcess;
  return (
    <>
      <p className="crumbs">
        <Link href="/approvals">Approvals</Link>
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the approval process" /> : null}
      {data && !p ? <p>No such approval process.</p> : null}
      {p ? (
        <>
          <PageHeader title={`${processLabel(p.processType)} approval`}>
            <Status value={p.status} />
          </PageHeader>
          <Card title="Process">
            <Details
              rows={[
                ['For', <TargetLink key="t" process={p} />],
                ['Status', <Status key="s" value={p.status} />],
                ['Started', <When key="w" at={p.createdAt} />],
                ['Eligible voters', <VoterList key="e" ids={p.eligibleVoterIds} />],
                ['Approved by', p.approverIds.length ? <VoterList key="a" ids={p.approverIds} /> : 'Nobody yet'],
                ['Denied by', p.deniedBy ? <UserEmail key="d" id={p.deniedBy} /> : '—'],
                ['Reason for denial', p.denialReason ?? '—'],
              ]}
            />
          </Card>
          <Card title="Your vote">
            <Vote process={p} />
          </Card>
        </>
      ) : null}
    </>
  );
}

function VoterList({ ids }: { ids: string[] }) {
  return (
    <ul>
      {ids.map((id) => (
        <li key={id}>
          <UserEmail id={id} />
        </li>
      ))}
    </ul>
  );
}
