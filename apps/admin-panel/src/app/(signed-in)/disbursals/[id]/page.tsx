'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Details, ErrorNotice, Loading, PageHeader, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';

const DisbursalQuery = graphql(`
  query Disbursal($id: UUID!) {
    disbursal(id: $id) {
      id
      facilityId
      amount
      status
      dueDate
      approvalProcessId
      reason
      createdAt
    }
  }
`);

export default function DisbursalPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(DisbursalQuery, { variables: { id } });
  const d = data?.disbursal;
  return (
    <>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the disbursal" /> : null}
      {data && !d ? <p>No such disbursal.</p> : null}
      {d ? (
        <>
          <p className="crumbs">
            <Link href={`/credit-facilities/${d.facilityId}`}>Back to the facility</Link>
          </p>
          <PageHeader title="Disbursal">
            <Status value={d.status} />
          </PageHeader>
          <Card title="Disbursal">
            <Details
              rows={[
                ['Amount', <Usd key="a" cents={d.amount} />],
                ['Status', <Status key="s" value={d.status} />],
                ['Principal due', d.dueDate],
                ['Approval', d.approvalProcessId ? <Link key="p" href={`/approvals/${d.approvalProcessId}`}>Approval process</Link> : 'Pre-approved (single disbursal)'],
                ['Reason', d.reason ?? '—'],
                ['Requested', <When key="c" at={d.createdAt} />],
              ]}
            />
          </Card>
        </>
      ) : null}
    </>
  );
}
