'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { graphql } from '@/gql';

const UserEmailQuery = graphql(`
  query UserEmail($id: UUID!) {
    user(id: $id) {
      id
      email
    }
  }
`);

/** A staff user's email (their id while it loads or if it cannot be read). */
export function UserEmail({ id }: { id: string }) {
  const { data } = useQuery(UserEmailQuery, { variables: { id } });
  return <Link href={`/users/${id}`}>{data?.user?.email ?? id}</Link>;
}
