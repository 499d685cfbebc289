'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { graphql } from '@/gql';

const CustomerEmailQuery = graphql(`
  query CustomerEmail($id: UUID!) {
    customer(id: $id) {
      id
      email
    }
  }
`);

/** A customer's email linked to their page (a generic label while it loads). */
export function CustomerLink({ id }: { id: string }) {
  const { data } = useQuery(CustomerEmailQuery, { variables: { id } });
  return <Link href={`/customers/${id}`}>{data?.customer?.email ?? 'Customer'}</Link>;
}
