'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useState } from 'react';
import { Card, Empty, ErrorNotice, Field, Loading, PageHeader, Pager, Status, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { ApprovalProcessStatus } from '@/gql/graphql';
import { TargetLink, Vote, awaitsMe } from '@/components/approval';
import { useMe } from '@/permissions';

const ApprovalsQuery = graphql(`
  query ApprovalProcesses($status: ApprovalProcessStatus, $first: Int!, $after: String) {
    approvalProcesses(status: $status, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ApprovalRow
      }
    }
  }
`);

type View = 'mine' | ApprovalProcessStatus | 'ALL';

export default function ApprovalsPage() {
  const me = useMe();
  const [view, setView] = useState<View>('mine');
  const pager = useCursorPager();
  const status = view === 'mine' ? 'IN_PROGRESS' : view === 'ALL' ? null : view;
  const { data, loading, error, refetch } = useQuery(ApprovalsQuery, { variables: { status, first: 50, after: pager.after } });
  const rows = (data?.approvalProcesses.nodes ?? []).filter((p) => view !== 'mine' || awaitsMe(p, me.userId));
  return (
    <>
      <PageHeader title="Approvals" />
      <Card>
        <div className="filters">
          <Field label="Show">
            <select
              value={view}
              onChange={(e) => {
                setView(e.target.value as View);
                pager.reset();
              }}
            >
              <option value="mine">Waiting for my vote</option>
              <option value="IN_PROGRESS">All in progress</option>
              <option value="APPROVED">Approved</option>
              <option value="DENIED">Denied</option>
              <option value="ALL">All</option>
            </select>
          </Field>
        </div>
        <ErrorNotice error={error} />
        {loading && !data ? <Loading what="approvals" /> : null}
        {data && rows.length === 0 ? <Empty>{view === 'mine' ? 'Nothing is waiting for your vote.' : 'No approval processes.'}</Empty> : null}
        {rows.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Approval processes">
              <thead>
                <tr>
                  <th>For</th>
                  <th>Status</th>
                  <th>Votes</th>
                  <th>Started</th>
                  <th>Your vote</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <TargetLink process={p} />
                      <br />
                      <Link className="muted" href={`/approvals/${p.id}`}>
                        Process details
                      </Link>
                    </td>
                    <td>
                      <Status value={p.status} />
                    </td>
                    <td>
                      {p.approverIds.length} of {p.eligibleVoterIds.length} approved
                    </td>
                    <td>
                      <When at={p.createdAt} />
                    </td>
                    <td>
                      <Vote process={p} onVoted={() => void refetch()} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.approvalProcesses.pageInfo} />
      </Card>
    </>
  );
}
