'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { ActionForm, Card, Empty, ErrorNotice, Field, InvalidInput, Loading, PageHeader, Pager, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { processLabel } from '@/components/approval';
import { StaffQuery } from '@/components/staff';
import { Allowed } from '@/permissions';

const GovernanceQuery = graphql(`
  query Governance($first: Int!, $after: String) {
    committees(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        memberIds
        createdAt
      }
    }
    policies(first: 20) {
      nodes {
        id
        processType
        committeeId
      }
    }
  }
`);
const CommitteeCreate = graphql(`
  mutation CommitteeCreate($input: CommitteeCreateInput!) {
    committeeCreate(input: $input) {
      committee {
        id
      }
    }
  }
`);
const MemberAdd = graphql(`
  mutation CommitteeMemberAdd($input: CommitteeMemberAddInput!) {
    committeeMemberAdd(input: $input) {
      committee {
        id
        memberIds
      }
    }
  }
`);
const MemberRemove = graphql(`
  mutation CommitteeMemberRemove($input: CommitteeMemberRemoveInput!) {
    committeeMemberRemove(input: $input) {
      committee {
        id
        memberIds
      }
    }
  }
`);
const PolicyAssign = graphql(`
  mutation PolicyCommitteeAssign($input: PolicyCommitteeAssignInput!) {
    policyCommitteeAssign(input: $input) {
      policy {
        id
        committeeId
      }
    }
  }
`);

export default function GovernancePage() {
  const pager = useCursorPager();
  const { data, error, refetch } = useQuery(GovernanceQuery, { variables: { first: 20, after: pager.after } });
  const staff = useQuery(StaffQuery);
  const [create] = useMutation(CommitteeCreate);
  const [add] = useMutation(MemberAdd);
  const [remove] = useMutation(MemberRemove);
  const [assign] = useMutation(PolicyAssign);
  const users = staff.data?.users.nodes ?? [];
  const email = (id: string) => users.find((u) => u.id === id)?.email ?? id;
  const committees = data?.committees.nodes ?? [];
  return (
    <>
      <PageHeader title="Committees & policies" />
      <ErrorNotice error={error ?? staff.error} />
      {!data ? <Loading what="governance" /> : null}
      <Card title="Policies">
        <p className="muted">Each process type is approved automatically, or by a committee whose members must all approve (one denial denies).</p>
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Policies">
            <thead>
              <tr>
                <th>Process</th>
                <th>Approved by</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {data?.policies.nodes.map((p) => (
                <tr key={p.id}>
                  <td>{processLabel(p.processType)}</td>
                  <td>{p.committeeId ? (committees.find((c) => c.id === p.committeeId)?.name ?? 'A committee') : 'Automatically'}</td>
                  <td>
                    <Allowed object="governance/policy" action="governance:write">
                      {committees.length > 0 ? (
                        <ActionForm
                          label={`Assign a committee to ${processLabel(p.processType)}`}
                          submitLabel="Assign"
                          onSubmit={async (form) => {
                            await assign({ variables: { input: { policyId: p.id, committeeId: String(form.get('committee')) } } });
                            await refetch();
                          }}
                        >
                          <Field label="Committee">
                            <select name="committee" defaultValue={p.committeeId ?? undefined}>
                              {committees.map((c) => (
                                <option key={c.id} value={c.id}>
                                  {c.name}
                                </option>
                              ))}
                            </select>
                          </Field>
                        </ActionForm>
                      ) : null}
                    </Allowed>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Allowed object="governance/committee" action="governance:write">
        <Card title="New committee">
          <ActionForm
            label="New committee"
            submitLabel="Create committee"
            onSubmit={async (form) => {
              const memberIds = form.getAll('members').map(String);
              if (memberIds.length === 0) throw new InvalidInput('Choose at least one member.');
              await create({ variables: { input: { name: String(form.get('name')), memberIds } } });
              await refetch();
            }}
          >
            <Field label="Name">
              <input name="name" required autoComplete="off" />
            </Field>
            <Field label="Members" hint="Hold Ctrl or Cmd to choose several.">
              <select name="members" multiple size={Math.min(6, Math.max(2, users.length))}>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
              </select>
            </Field>
          </ActionForm>
        </Card>
      </Allowed>
      {data && committees.length === 0 ? <Empty>No committees yet.</Empty> : null}
      {committees.map((c) => (
        <Card key={c.id} title={c.name}>
          <p className="muted">
            Created <When at={c.createdAt} />
          </p>
          <ul>
            {c.memberIds.map((m) => (
              <li key={m}>
                {email(m)}{' '}
                <Allowed object="governance/committee" action="governance:write">
                  {c.memberIds.length > 1 ? (
                    <ActionForm
                      label={`Remove ${email(m)} from ${c.name}`}
                      submitLabel="Remove"
                      className="inline"
                      onSubmit={async () => {
                        await remove({ variables: { input: { committeeId: c.id, userId: m } } });
                        await refetch();
                      }}
                    />
                  ) : null}
                </Allowed>
              </li>
            ))}
          </ul>
          <Allowed object="governance/committee" action="governance:write">
            <ActionForm
              label={`Add a member to ${c.name}`}
              submitLabel="Add member"
              onSubmit={async (form) => {
                await add({ variables: { input: { committeeId: c.id, userId: String(form.get('user')) } } });
                await refetch();
              }}
            >
              <Field label="Staff user">
                <select name="user">
                  {users
                    .filter((u) => !c.memberIds.includes(u.id))
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.email}
                      </option>
                    ))}
                </select>
              </Field>
            </ActionForm>
          </Allowed>
        </Card>
      ))}
      <Pager pager={pager} pageInfo={data?.committees.pageInfo} />
    </>
  );
}
