'use client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { Card, ErrorNotice, Field, Loading, PageHeader, Pager, humanize, useCursorPager } from '@lana/shared/ui/components';
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
          <Field label="Status">
            <select value={status} onChange={(e) => (setStatus(e.target.value as CreditFacilityStatus | ''), facilitiesPager.reset())}>
              <option value="">Any</option>
              {FACILITY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Collateralization">
            <select value={state} onChange={(e) => (setState(e.target.value as CollateralizationState | ''), facilitiesPager.reset())}>
              <option value="">Any</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ErrorNotice error={facilities.error} />
        {facilities.data ? <FacilitiesTable facilities={facilities.data.creditFacilities.nodes} /> : <Loading what="facilities" />}
        <Pager pager={facilitiesPager} pageInfo={facilities.data?.creditFacilities.pageInfo} />
      </Card>
      <Card title="Proposals">
        <p className="muted">New proposals are made from a customer&apos;s page.</p>
        <div className="filters">
          <Field label="Proposal status">
            <select value={proposalStatus} onChange={(e) => (setProposalStatus(e.target.value as CreditFacilityStatus | ''), proposalsPager.reset())}>
              <option value="">Any</option>
              {PROPOSAL_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ErrorNotice error={proposals.error} />
        {proposals.data ? <FacilitiesTable facilities={proposals.data.creditFacilityProposals.nodes} /> : <Loading what="proposals" />}
        <Pager pager={proposalsPager} pageInfo={proposals.data?.creditFacilityProposals.pageInfo} />
      </Card>
    </>
  );
}
