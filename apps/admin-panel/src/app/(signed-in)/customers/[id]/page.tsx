'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { ActionForm, Card, Details, Empty, ErrorNotice, Field, Loading, PageHeader, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { CUSTOMER_TYPES } from '@/labels';
import { Allowed } from '@/permissions';
import { CustomerCredit } from '@/components/customer-credit';

const CustomerQuery = graphql(`
  query Customer($id: UUID!) {
    customer(id: $id) {
      id
      email
      telegramHandle
      customerType
      kycLevel
      status
      createdAt
      depositAccounts(first: 20) {
        nodes {
          id
          publicId
          status
          activity
          balance {
            settled
            available
            pending
          }
        }
      }
    }
  }
`);

const DepositAccountCreate = graphql(`
  mutation DepositAccountCreate($input: DepositAccountCreateInput!) {
    depositAccountCreate(input: $input) {
      account {
        id
      }
    }
  }
`);
const CustomerFreeze = graphql(`
  mutation CustomerFreeze($input: CustomerFreezeInput!) {
    customerFreeze(input: $input) {
      customer {
        id
        status
      }
    }
  }
`);
const CustomerUnfreeze = graphql(`
  mutation CustomerUnfreeze($input: CustomerUnfreezeInput!) {
    customerUnfreeze(input: $input) {
      customer {
        id
        status
      }
    }
  }
`);
const CustomerClose = graphql(`
  mutation CustomerClose($input: CustomerCloseInput!) {
    customerClose(input: $input) {
      customer {
        id
        status
      }
    }
  }
`);
const CustomerEmailUpdate = graphql(`
  mutation CustomerEmailUpdate($input: CustomerEmailUpdateInput!) {
    customerEmailUpdate(input: $input) {
      customer {
        id
        email
      }
    }
  }
`);

export default function CustomerPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const { data, error, refetch } = useQuery(CustomerQuery, { variables: { id } });
  const [openAccount] = useMutation(DepositAccountCreate);
  const [freeze] = useMutation(CustomerFreeze);
  const [unfreeze] = useMutation(CustomerUnfreeze);
  const [close] = useMutation(CustomerClose);
  const [updateEmail] = useMutation(CustomerEmailUpdate);
  const customer = data?.customer;
  const input = { customerId: id };
  return (
    <>
      <p className="crumbs">
        <Link href="/customers">Customers</Link>
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the customer" /> : null}
      {data && !customer ? <p>No such customer.</p> : null}
      {customer ? (
        <>
          <PageHeader title={customer.email}>
            <Status value={customer.status} />
          </PageHeader>
          <Card title="Customer">
            <Details
              rows={[
                ['Email', customer.email],
                ['Telegram', customer.telegramHandle],
                ['Type', CUSTOMER_TYPES.find(([v]) => v === customer.customerType)?.[1]],
                ['KYC level', <Status key="k" value={customer.kycLevel} />],
                ['Status', <Status key="s" value={customer.status} />],
                ['Customer since', <When key="w" at={customer.createdAt} />],
              ]}
            />
          </Card>
          <Card title="Deposit accounts">
            {customer.depositAccounts.nodes.length === 0 ? <Empty>No deposit account yet.</Empty> : null}
            {customer.depositAccounts.nodes.length > 0 ? (
              <div className="table-wrap" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th>Account</th>
                      <th>Status</th>
                      <th>Activity</th>
                      <th className="num">Settled</th>
                      <th className="num">Pending</th>
                      <th className="num">Available</th>
                    </tr>
                  </thead>
                  <tbody>
                    {customer.depositAccounts.nodes.map((a) => (
                      <tr key={a.id}>
                        <td>
                          <Link href={`/deposit-accounts/${a.id}`}>Account {a.publicId}</Link>
                        </td>
                        <td>
                          <Status value={a.status} />
                        </td>
                        <td>
                          <Status value={a.activity} />
                        </td>
                        <td className="num">
                          <Usd cents={a.balance.settled} />
                        </td>
                        <td className="num">
                          <Usd cents={a.balance.pending} />
                        </td>
                        <td className="num">
                          <Usd cents={a.balance.available} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <Allowed object="deposit/account" action="deposit:write">
              {customer.status === 'ACTIVE' ? (
                <ActionForm
                  label="Open a deposit account"
                  submitLabel="Open deposit account"
                  onSubmit={async () => {
                    const result = await openAccount({ variables: { input } });
                    const account = result.data?.depositAccountCreate.account.id;
                    if (account) router.push(`/deposit-accounts/${account}`);
                  }}
                />
              ) : null}
            </Allowed>
          </Card>
          <Allowed object="credit/facility" action="credit:read">
            <CustomerCredit customer={customer} />
          </Allowed>
          <Allowed object="customer/customer" action="customer:write">
            {customer.status !== 'CLOSED' ? (
              <div className="grid">
                <Card title="Status">
                  <p className="muted">Freezing reaches every account of the customer; closing closes empty accounts and freezes the others, for good.</p>
                  <div className="action-form">
                    {customer.status === 'ACTIVE' ? (
                      <ActionForm label="Freeze customer" submitLabel="Freeze customer" onSubmit={async () => void (await freeze({ variables: { input } }))} />
                    ) : (
                      <ActionForm label="Unfreeze customer" submitLabel="Unfreeze customer" onSubmit={async () => void (await unfreeze({ variables: { input } }))} />
                    )}
                    <ActionForm
                      label="Close customer"
                      danger
                      submitLabel="Close customer"
                      onSubmit={async () => {
                        if (!window.confirm(`Close ${customer.email} for good?`)) return;
                        await close({ variables: { input } });
                        await refetch();
                      }}
                    />
                  </div>
                </Card>
                <Card title="Email address">
                  <ActionForm
                    label="Change email"
                    submitLabel="Change email"
                    onSubmit={async (form) => void (await updateEmail({ variables: { input: { ...input, email: String(form.get('email')) } } }))}
                  >
                    <Field label="New email">
                      <input name="email" type="email" required defaultValue={customer.email} />
                    </Field>
                  </ActionForm>
                </Card>
              </div>
            ) : null}
          </Allowed>
        </>
      ) : null}
    </>
  );
}
