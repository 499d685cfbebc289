'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ActionForm, Card, Details, ErrorNotice, Field, Loading, PageHeader, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const UserQuery = graphql(`
  query User($id: UUID!) {
    user(id: $id) {
      id
      email
      createdAt
      role {
        id
        name
        permissionSets
      }
    }
    roles(first: 50) {
      nodes {
        id
        name
      }
    }
  }
`);
const RoleUpdate = graphql(`
  mutation UserRoleUpdate($input: UserRoleUpdateInput!) {
    userRoleUpdate(input: $input) {
      user {
        id
        role {
          id
          name
          permissionSets
        }
      }
    }
  }
`);

export default function UserPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(UserQuery, { variables: { id } });
  const [updateRole] = useMutation(RoleUpdate);
  const user = data?.user;
  return (
    <>
      <p className="crumbs">
        <Link href="/users">Users &amp; roles</Link>
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the user" /> : null}
      {data && !user ? <p>No such user.</p> : null}
      {user ? (
        <>
          <PageHeader title={user.email} />
          <Card title="Staff user">
            <Details
              rows={[
                ['Email', user.email],
                ['Role', user.role?.name ?? '—'],
                ['Permission sets', user.role?.permissionSets.join(', ') ?? '—'],
                ['Since', <When key="w" at={user.createdAt} />],
              ]}
            />
          </Card>
          <Allowed object="access/user" action="access:write">
            <Card title="Role">
              <ActionForm
                label="Change role"
                submitLabel="Change role"
                onSubmit={async (form) => void (await updateRole({ variables: { input: { userId: id, roleId: String(form.get('role')) } } }))}
              >
                <Field label="Role">
                  <select name="role" defaultValue={user.role?.id}>
                    {data?.roles.nodes
                      .filter((r) => r.name !== 'customer')
                      .map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                  </select>
                </Field>
              </ActionForm>
            </Card>
          </Allowed>
        </>
      ) : null}
    </>
  );
}
