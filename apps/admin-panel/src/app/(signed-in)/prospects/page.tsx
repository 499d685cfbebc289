'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { ActionForm, Card, Empty, ErrorNotice, Field, Loading, PageHeader, Pager, Status, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { CustomerType } from '@/gql/graphql';
import { Allowed } from '@/permissions';
import { CUSTOMER_TYPES } from '@/labels';

const ProspectsQuery = graphql(`
  query Prospects($first: Int!, $after: String) {
    prospects(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        email
        telegramHandle
        customerType
        kycStatus
        converted
        createdAt
      }
    }
  }
`);

const ProspectCreate = graphql(`
  mutation ProspectCreate($input: ProspectCreateInput!) {
    prospectCreate(input: $input) {
      prospect {
        id
      }
    }
  }
`);

export default function ProspectsPage() {
  const pager = useCursorPager();
  const router = useRouter();
  const { data, loading, error } = useQuery(ProspectsQuery, { variables: { first: 20, after: pager.after } });
  const [create] = useMutation(ProspectCreate);
  return (
    <>
      <PageHeader title="Prospects" />
      <Allowed object="customer/prospect" action="customer:write">
        <Card title="New prospect">
          <ActionForm
            label="New prospect"
            submitLabel="Create prospect"
            onSubmit={async (form) => {
              const result = await create({
                variables: {
                  input: {
                    email: String(form.get('email')),
                    telegramHandle: String(form.get('telegramHandle')),
                    customerType: String(form.get('customerType')) as CustomerType,
                  },
                },
              });
              const id = result.data?.prospectCreate.prospect.id;
              if (id) router.push(`/prospects/${id}`);
            }}
          >
            <Field label="Email">
              <input name="email" type="email" required autoComplete="off" />
            </Field>
            <Field label="Telegram handle">
              <input name="telegramHandle" required autoComplete="off" />
            </Field>
            <Field label="Customer type">
              <select name="customerType" defaultValue="INDIVIDUAL">
                {CUSTOMER_TYPES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </Field>
          </ActionForm>
        </Card>
      </Allowed>
      <Card title="All prospects">
        <ErrorNotice error={error} />
        {loading && !data ? <Loading what="prospects" /> : null}
        {data && data.prospects.nodes.length === 0 ? <Empty>No prospects yet.</Empty> : null}
        {data && data.prospects.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Telegram</th>
                  <th>Type</th>
                  <th>KYC</th>
                  <th>Customer</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {data.prospects.nodes.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/prospects/${p.id}`}>{p.email}</Link>
                    </td>
                    <td>{p.telegramHandle}</td>
                    <td>{CUSTOMER_TYPES.find(([v]) => v === p.customerType)?.[1]}</td>
                    <td>
                      <Status value={p.kycStatus} />
                    </td>
                    <td>{p.converted ? <Link href={`/customers/${p.id}`}>Converted</Link> : 'Not yet'}</td>
                    <td>
                      <When at={p.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.prospects.pageInfo} />
      </Card>
    </>
  );
}
