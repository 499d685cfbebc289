'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { ActionForm, Card, ErrorNotice, Field, InvalidInput, Loading, PageHeader, Pager, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const AccessQuery = graphql(`
  query Access($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        email
        createdAt
        role {
          id
          name
        }
      }
    }
    roles(first: 50) {
      nodes {
        id
        name
        permissionSets
      }
    }
    permissionSets {
      name
      permissions {
        object
        action
      }
    }
  }
`);
const UserCreate = graphql(`
  mutation UserCreate($input: UserCreateInput!) {
    userCreate(input: $input) {
      user {
        id
      }
    }
  }
`);
const RoleCreate = graphql(`
  mutation RoleCreate($input: RoleCreateInput!) {
    roleCreate(input: $input) {
      role {
        id
      }
    }
  }
`);
const SetsAdd = graphql(`
  mutation RolePermissionSetsAdd($input: RolePermissionSetsAddInput!) {
    rolePermissionSetsAdd(input: $input) {
      role {
        id
        permissionSets
      }
    }
  }
`);
const SetsRemove = graphql(`
  mutation RolePermissionSetsRemove($input: RolePermissionSetsRemoveInput!) {
    rolePermissionSetsRemove(input: $input) {
      role {
        id
        permissionSets
      }
    }
  }
`);

const PREDEFINED = new Set(['superuser', 'admin', 'bank-manager', 'accountant', 'customer']);

export default function UsersPage() {
  const pager = useCursorPager();
  const { data, error, refetch } = useQuery(AccessQuery, { variables: { first: 20, after: pager.after } });
  const [createUser] = useMutation(UserCreate);
  const [createRole] = useMutation(RoleCreate);
  const [addSets] = useMutation(SetsAdd);
  const [removeSets] = useMutation(SetsRemove);
  const roles = (data?.roles.nodes ?? []).filter((r) => r.name !== 'customer');
  const sets = data?.permissionSets ?? [];
  return (
    <>
      <PageHeader title="Users & roles" />
      <ErrorNotice error={error} />
      {!data ? <Loading what="users and roles" /> : null}
      <Card title="Staff users">
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Staff users">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {data?.users.nodes.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link href={`/users/${u.id}`}>{u.email}</Link>
                  </td>
                  <td>{u.role?.name ?? '—'}</td>
                  <td>
                    <When at={u.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager pager={pager} pageInfo={data?.users.pageInfo} />
        <Allowed object="access/user" action="access:write">
          <h2>Add a staff user</h2>
          <ActionForm
            label="Add a staff user"
            submitLabel="Add user"
            onSubmit={async (form) => {
              await createUser({ variables: { input: { email: String(form.get('email')), roleId: String(form.get('role')) } } });
              await refetch();
            }}
          >
            <Field label="Email" hint="They sign in with this address at the identity provider.">
              <input name="email" type="email" required autoComplete="off" />
            </Field>
            <Field label="Role">
              <select name="role" key={roles.length} defaultValue={roles.find((r) => r.name === 'bank-manager')?.id}>
                {roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </Field>
          </ActionForm>
        </Allowed>
      </Card>
      <Card title="Roles">
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Roles">
            <thead>
              <tr>
                <th>Role</th>
                <th>Permission sets</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.name}
                    {PREDEFINED.has(r.name) ? <span className="muted"> (predefined)</span> : null}
                  </td>
                  <td>{r.permissionSets.join(', ')}</td>
                  <td>
                    {!PREDEFINED.has(r.name) ? (
                      <Allowed object="access/role" action="access:write">
                        <ActionForm
                          label={`Change the sets of ${r.name}`}
                          submitLabel="Apply"
                          onSubmit={async (form) => {
                            const set = String(form.get('set'));
                            const input = { roleId: r.id, permissionSets: [set] };
                            if (r.permissionSets.includes(set)) await removeSets({ variables: { input } });
                            else await addSets({ variables: { input } });
                          }}
                        >
                          <Field label="Permission set">
                            <select name="set">
                              {sets.map((s) => (
                                <option key={s.name} value={s.name}>
                                  {r.permissionSets.includes(s.name) ? `Remove ${s.name}` : `Add ${s.name}`}
                                </option>
                              ))}
                            </select>
                          </Field>
                        </ActionForm>
                      </Allowed>
                    ) : (
                      <span className="muted">Fixed</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Allowed object="access/role" action="access:write">
          <h2>New role</h2>
          <ActionForm
            label="New role"
            submitLabel="Create role"
            onSubmit={async (form) => {
              const permissionSets = form.getAll('sets').map(String);
              if (permissionSets.length === 0) throw new InvalidInput('Choose at least one permission set.');
              await createRole({ variables: { input: { name: String(form.get('name')), permissionSets } } });
              await refetch();
            }}
          >
            <Field label="Name" hint="Lower-case letters, digits and dashes.">
              <input name="name" required pattern="[a-z0-9-]{1,64}" autoComplete="off" />
            </Field>
            <Field label="Permission sets" hint="Hold Ctrl or Cmd to choose several.">
              <select name="sets" multiple size={8}>
                {sets.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
            </Field>
          </ActionForm>
        </Allowed>
      </Card>
    </>
  );
}
