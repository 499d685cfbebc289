'use client';
import Link from 'next/link';
import { Btc, Empty, Status, Usd, When, shortId } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { CustomerLink } from '@/components/customer-email';
import type { FacilityRowFragment } from '@/gql/graphql';

graphql(`
  fragment FacilityRow on CreditFacility {
    id
    customerId
    status
    collateralizationState
    amount
    collateral
    createdAt
    balances {
      outstanding
      cvl {
        infinite
        percent
      }
    }
  }
`);

export function Cvl({ cvl }: { cvl: FacilityRowFragment['balances']['cvl'] }) {
  if (!cvl) return <span className="muted">No price</span>;
  return <span>{cvl.infinite ? '∞' : `${cvl.percent}%`}</span>;
}

export function FacilitiesTable({ facilities, showCustomer = true }: { facilities: FacilityRowFragment[]; showCustomer?: boolean }) {
  if (facilities.length === 0) return <Empty>No credit facilities or proposals.</Empty>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Credit facilities">
        <thead>
          <tr>
            <th>Facility</th>
            {showCustomer ? <th>Customer</th> : null}
            <th>Status</th>
            <th className="num">Amount</th>
            <th className="num">Outstanding</th>
            <th className="num">Collateral</th>
            <th>CVL</th>
            <th>Proposed</th>
          </tr>
        </thead>
        <tbody>
          {facilities.map((f) => (
            <tr key={f.id}>
              <td>
                <Link href={`/credit-facilities/${f.id}`}>{shortId(f.id)}</Link>
              </td>
              {showCustomer ? (
                <td>
                  <CustomerLink id={f.customerId} />
                </td>
              ) : null}
              <td>
                <Status value={f.status} />{' '}
                {f.status === 'ACTIVE' || f.status === 'PENDING_COLLATERAL' ? <Status value={f.collateralizationState} /> : null}
              </td>
              <td className="num">
                <Usd cents={f.amount} />
              </td>
              <td className="num">
                <Usd cents={f.balances.outstanding} />
              </td>
              <td className="num">
                <Btc sats={f.collateral} />
              </td>
              <td>
                <Cvl cvl={f.balances.cvl} />
              </td>
              <td>
                <When at={f.createdAt} dateOnly />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
