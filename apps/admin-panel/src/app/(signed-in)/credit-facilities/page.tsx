'use client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { Card, EnumFilter, ErrorNotice, Loading, PageHeader, Pager, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { CollateralizationState, CreditFacilityStatus } from '@/gql/graphql';
import { FacilitiesTable } from '@/components/facilities';

const FacilitiesQuery = graphql(`
  query CreditFacilities($first: Int!, $after: String, $status: CreditFacilityStatus, $collateralizationState: CollateralizationState) {
    creditFacilities(first: $first, after: $after, status: $status, collateralizationState: $collateralizationState) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...FacilityRow
      }
    }
  }
`);
const ProposalsQuery = graphql(`
  query CreditFacilityProposals($first: Int!, $after: String, $status: CreditFacilityStatus) {
    creditFacilityProposals(first: $first, after: $after, status: $status) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...FacilityRow
      }
    }
  }
`);

const FACILITY_STATUSES: CreditFacilityStatus[] = ['PENDING_COLLATERAL', 'ACTIVE', 'COMPLETED'];
const PROPOSAL_STATUSES: CreditFacilityStatus[] = ['PENDING_CUSTOMER_APPROVAL', 'PENDING_APPROVAL', 'CUSTOMER_DECLINED', 'DENIED'];
const STATES: CollateralizationState[] = ['NOT_EVALUATED', 'FULLY_COLLATERALIZED', 'UNDER_MARGIN_CALL_THRESHOLD', 'UNDER_LIQUIDATION_THRESHOLD'];

export default function CreditFacilitiesPage() {
  const [status, setStatus] = useState<CreditFacilityStatus | ''>('');
  const [state, setState] = useState<CollateralizationState | ''>('');
  const [proposalStatus, setProposalStatus] = useState<CreditFacilityStatus | ''>('');
  const facilitiesPager = useCursorPager();
  const proposalsPager = useCursorPager();
  const facilities = useQuery(FacilitiesQuery, {
    variables: { first: 20, after: facilitiesPager.after, status: status || null, collateralizationState: state || null },
  });
  const proposals = useQuery(ProposalsQuery, { variables: { first: 20, after: proposalsPager.after, status: proposalStatus || null } });
  return (
    <>
      <PageHeader title="Credit facilities" />
      <Card title="Facilities">
        <div className="filters">
          <EnumFilter label="Status" value={status} options={FACILITY_STATUSES} onChange={(v) => (setStatus(v), facilitiesPager.reset())} />
          <EnumFilter label="Collateralization" value={state} options={STATES} onChange={(v) => (setState(v), facilitiesPager.reset())} />
        </div>
        <ErrorNotice error={facilities.error} />
        {facilities.data ? <FacilitiesTable facilities={facilities.data.creditFacilities.nodes} /> : <Loading what="facilities" />}
        <Pager pager={facilitiesPager} pageInfo={facilities.data?.creditFacilities.pageInfo} />
      </Card>
      <Card title="Proposals">
        <p className="muted">New proposals are made from a customer&apos;s page.</p>
        <div className="filters">
          <EnumFilter
            label="Proposal status"
            value={proposalStatus}
            options={PROPOSAL_STATUSES}
            onChange={(v) => (setProposalStatus(v), proposalsPager.reset())}
          />
        </div>
        <ErrorNotice error={proposals.error} />
        {proposals.data ? <FacilitiesTable facilities={proposals.data.creditFacilityProposals.nodes} /> : <Loading what="proposals" />}
        <Pager pager={proposalsPager} pageInfo={proposals.data?.creditFacilityProposals.pageInfo} />
      </Card>
    </>
  );
}
