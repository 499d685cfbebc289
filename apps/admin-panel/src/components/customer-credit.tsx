'use client';
import { useQuery } from '@apollo/client/react';
import { Card, ErrorNotice } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { FacilitiesTable } from '@/components/facilities';
import { ProposeCredit } from '@/components/propose-credit';
import { Allowed } from '@/permissions';

const CustomerCreditQuery = graphql(`
  query CustomerCredit($id: UUID!) {
    creditFacilities(first: 20, customerId: $id) {
      nodes {
        ...FacilityRow
      }
    }
    creditFacilityProposals(first: 20, customerId: $id) {
      nodes {
        ...FacilityRow
      }
    }
  }
`);

/** A customer's proposals and facilities, and a new proposal. */
export function CustomerCredit({ customer }: { customer: { id: string; status: string; depositAccounts: { nodes: { id: string; publicId: string }[] } } }) {
  const { data, error, refetch } = useQuery(CustomerCreditQuery, { variables: { id: customer.id } });
  return (
    <Card title="Credit">
      <ErrorNotice error={error} />
      {data ? <FacilitiesTable facilities={[...data.creditFacilityProposals.nodes, ...data.creditFacilities.nodes]} showCustomer={false} /> : null}
      <Allowed object="credit/facility" action="credit:write">
        {customer.status === 'ACTIVE' && customer.depositAccounts.nodes.length > 0 ? (
          <ProposeCredit customerId={customer.id} accounts={customer.depositAccounts.nodes} onDone={() => void refetch()} />
        ) : null}
      </Allowed>
    </Card>
  );
}
