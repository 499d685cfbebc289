'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { ActionForm, Btc, Card, Details, Empty, ErrorNotice, Loading, PageHeader, Pager, Status, When, shortId, useCursorPager } from '@lana/shared/ui/components';
import { networkLabel, providerLabel } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import type { CustodianDetailQuery } from '@/gql/graphql';
import { ConfigFields, PROVIDER_HINTS, SECRETS_NOTICE, configFrom } from '@/components/custodians';
import { Allowed } from '@/permissions';

const CustodianQuery = graphql(`
  query CustodianDetail($id: UUID!) {
    custodian(id: $id) {
      id
      name
      provider
      baseUrl
      enterpriseId
      coin
      apiUser
      accountXpub
      explorerUrl
      webhookPath
      createdAt
    }
  }
`);
const WalletsQuery = graphql(`
  query CustodianWallets($id: UUID!, $first: Int!, $after: String) {
    custodian(id: $id) {
      id
      wallets(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          facilityId
          custodianRef
          address
          network
          balance
          balanceObservedAt
          createdAt
        }
      }
    }
  }
`);
const WebhooksQuery = graphql(`
  query CustodianWebhooks($id: UUID!, $first: Int!, $after: String) {
    custodian(id: $id) {
      id
      webhooks(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          status
          error
          attempts
          payload
          receivedAt
          processedAt
        }
      }
    }
  }
`);
const ConfigUpdate = graphql(`
  mutation CustodianConfigUpdate($input: CustodianConfigUpdateInput!) {
    custodianConfigUpdate(input: $input) {
      custodian {
        id
        baseUrl
        enterpriseId
        coin
        apiUser
        accountXpub
        explorerUrl
      }
    }
  }
`);

type Custodian = NonNullable<CustodianDetailQuery['custodian']>;

/** The public configuration, as the API shows it (it has no field for a secret). */
function configRows(c: Custodian): [string, ReactNode][] {
  const rows: [string, ReactNode][] = [['Provider', providerLabel(c.provider)]];
  const add = (label: string, value: string | null | undefined) => {
    if (value) rows.push([label, <span key={label} className="mono">{value}</span>]);
  };
  add('Base URL', c.baseUrl);
  add('Enterprise id', c.enterpriseId);
  add('Coin', c.coin);
  add('API user', c.apiUser);
  add('Account public key', c.accountXpub);
  add('Block explorer URL', c.explorerUrl);
  if (c.webhookPath) {
    rows.push(['Webhook address', <span key="w"><span className="mono">{c.webhookPath}</span> on the admin server&apos;s public address</span>]);
  }
  if (c.provider === 'BITGO' || c.provider === 'KOMAINU') rows.push(['Secrets', 'Set, write-only: never shown']);
  rows.push(['Created', <When key="c" at={c.createdAt} />]);
  return rows;
}

export default function CustodianPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error, refetch } = useQuery(CustodianQuery, { variables: { id } });
  const [update] = useMutation(ConfigUpdate);
  const c = data?.custodian;
  return (
    <>
      <p className="crumbs">
        <Link href="/custodians">Custodians</Link>
      </p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the custodian" /> : null}
      {data && !c ? <p>No such custodian.</p> : null}
      {c ? (
        <>
          <PageHeader title={c.name}>
            <span className="badge badge-neutral">{providerLabel(c.provider)}</span>
          </PageHeader>
          <Card title="Configuration">
            <p className="muted">{PROVIDER_HINTS[c.provider]}</p>
            <Details rows={configRows(c)} />
          </Card>
          {c.provider !== 'MANUAL' ? (
            <Allowed object="custody/custodian" action="custody:write">
              <Card title="Update configuration">
                <p className="notice notice-info">{SECRETS_NOTICE} Leave a secret empty to keep the stored one; the provider stays the same.</p>
                <ActionForm
                  label="Update configuration"
                  submitLabel="Update configuration"
                  className="stacked"
                  onSubmit={async (form) => {
                    await update({ variables: { input: { custodianId: id, config: configFrom(form, c.provider) } } });
                    await refetch();
                  }}
                >
                  <ConfigFields provider={c.provider} current={c} />
                </ActionForm>
              </Card>
            </Allowed>
          ) : null}
          {c.provider !== 'MANUAL' ? <Wallets id={id} /> : null}
          {c.provider === 'BITGO' || c.provider === 'KOMAINU' ? <Webhooks id={id} /> : null}
        </>
      ) : null}
    </>
  );
}

function Wallets({ id }: { id: string }) {
  const pager = useCursorPager();
  const { data, error } = useQuery(WalletsQuery, { variables: { id, first: 20, after: pager.after } });
  const wallets = data?.custodian?.wallets;
  return (
    <Card title="Wallets">
      <p className="muted">One per facility, opened when its proposal is approved; the last reported balance is the facility&apos;s collateral.</p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="wallets" /> : null}
      {wallets && wallets.nodes.length === 0 ? <Empty>No wallets yet.</Empty> : null}
      {wallets && wallets.nodes.length > 0 ? (
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Wallets">
            <thead>
              <tr>
                <th>Facility</th>
                <th>Address</th>
                <th>Custodian&apos;s reference</th>
                <th>Network</th>
                <th className="num">Balance</th>
                <th>Observed at</th>
                <th>Opened</th>
              </tr>
            </thead>
            <tbody>
              {wallets.nodes.map((w) => (
                <tr key={w.id}>
                  <td className="mono">
                    <Link href={`/credit-facilities/${w.facilityId}`}>{shortId(w.facilityId)}</Link>
                  </td>
                  <td className="mono id">{w.address}</td>
                  <td className="mono id">{w.custodianRef}</td>
                  <td>{networkLabel(w.network)}</td>
                  <td className="num">{w.balance === null || w.balance === undefined ? <span className="muted">None reported</span> : <Btc sats={w.balance} />}</td>
                  <td>
                    <When at={w.balanceObservedAt} />
                  </td>
                  <td>
                    <When at={w.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pager={pager} pageInfo={wallets?.pageInfo} />
    </Card>
  );
}

function Webhooks({ id }: { id: string }) {
  const pager = useCursorPager();
  const { data, error } = useQuery(WebhooksQuery, { variables: { id, first: 20, after: pager.after } });
  const webhooks = data?.custodian?.webhooks;
  return (
    <Card title="Webhook deliveries">
      <p className="muted">Newest first, whatever became of them: refused ones (a bad signature) are kept with the reason and never applied.</p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="webhook deliveries" /> : null}
      {webhooks && webhooks.nodes.length === 0 ? <Empty>No deliveries yet.</Empty> : null}
      {webhooks && webhooks.nodes.length > 0 ? (
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Webhook deliveries">
            <thead>
              <tr>
                <th>Received</th>
                <th>Status</th>
                <th>Reason</th>
                <th className="num">Attempts</th>
                <th>Processed</th>
                <th>Body</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.nodes.map((w) => (
                <tr key={w.id}>
                  <td>
                    <When at={w.receivedAt} />
                  </td>
                  <td>
                    <Status value={w.status} />
                  </td>
                  <td>{w.error ?? '—'}</td>
                  <td className="num">{w.attempts}</td>
                  <td>
                    <When at={w.processedAt} />
                  </td>
                  <td>
                    <details>
                      <summary>Show</summary>
                      <pre className="mono">{JSON.stringify(w.payload, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pager={pager} pageInfo={webhooks?.pageInfo} />
    </Card>
  );
}
