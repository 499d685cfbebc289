'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { ActionForm, AmountInput, Card, Details, ErrorNotice, Field, InvalidInput, Loading, PageHeader, Status, Usd, When, readAmount } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const ConfigsQuery = graphql(`
  query DomainConfigs {
    domainConfigs {
      key
      description
      value
      defaultValue
      updatedAt
    }
  }
`);
const ConfigUpdate = graphql(`
  mutation DomainConfigUpdate($input: DomainConfigUpdateInput!) {
    domainConfigUpdate(input: $input) {
      domainConfig {
        key
        value
        updatedAt
      }
    }
  }
`);
const TimeQuery = graphql(`
  query BusinessTime {
    time {
      now
      businessDate
      nextEndOfDay
      clock
      timezone
      closingTime
      lastEndedDate
    }
  }
`);
const TimeAdvance = graphql(`
  mutation TimeAdvance($input: TimeAdvanceInput!) {
    timeAdvance(input: $input) {
      endedDates
      handlersBehind {
        name
        lastProcessedDate
      }
      time {
        now
        businessDate
        nextEndOfDay
        lastEndedDate
      }
    }
  }
`);
const PriceQuery = graphql(`
  query Price {
    realtimePrice {
      usdCentsPerBtc
      updatedAt
      source
      stale
    }
    priceProviders {
      id
      name
      kind
      active
      lastPrice {
        usdCentsPerBtc
        at
      }
      lastRefusal {
        at
        reason
      }
    }
  }
`);
const ProviderActivate = graphql(`
  mutation PriceProviderActivate($input: PriceProviderActivateInput!) {
    priceProviderActivate(input: $input) {
      provider {
        id
        active
      }
    }
  }
`);
const ManualSet = graphql(`
  mutation PriceManualSet($input: PriceManualSetInput!) {
    priceManualSet(input: $input) {
      provider {
        id
      }
    }
  }
`);

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings, time & price" />
      <Allowed object="config/domain" action="config:read">
        <Settings />
      </Allowed>
      <div className="grid">
        <Allowed object="time/clock" action="time:read">
          <BusinessTime />
        </Allowed>
        <Allowed object="price/btc-usd" action="price:read">
          <Price />
        </Allowed>
      </div>
    </>
  );
}

function Settings() {
  const { data, error } = useQuery(ConfigsQuery);
  const [update] = useMutation(ConfigUpdate);
  return (
    <Card title="Domain settings">
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="settings" /> : null}
      <div className="table-wrap" tabIndex={0}>
        <table aria-label="Domain settings">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Value</th>
              <th>Default</th>
              <th>Changed</th>
            </tr>
          </thead>
          <tbody>
            {data?.domainConfigs.map((c) => (
              <tr key={c.key}>
                <td>
                  <code>{c.key}</code>
                  <br />
                  <span className="muted">{c.description}</span>
                </td>
                <td>
                  <Allowed object="config/domain" action="config:write">
                    <ActionForm
                      label={`Change ${c.key}`}
                      submitLabel="Save"
                      onSubmit={async (form) => {
                        let value: unknown;
                        try {
                          value = JSON.parse(String(form.get('value')));
                        } catch {
                          throw new InvalidInput('Type a JSON value: true, false, a number, or a "quoted string".');
                        }
                        await update({ variables: { input: { key: c.key, value } } });
                      }}
                    >
                      <Field label="Value">
                        <input name="value" defaultValue={JSON.stringify(c.value)} autoComplete="off" />
                      </Field>
                    </ActionForm>
                  </Allowed>
                </td>
                <td>
                  <code>{JSON.stringify(c.defaultValue)}</code>
                </td>
                <td>
                  <When at={c.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function BusinessTime() {
  const { data, error } = useQuery(TimeQuery);
  const [advance, advanced] = useMutation(TimeAdvance);
  const t = data?.time;
  const behind = advanced.data?.timeAdvance.handlersBehind ?? [];
  return (
    <Card title="Business time">
      <ErrorNotice error={error} />
      {t ? (
        <>
          <Details
            rows={[
              ['Business date', t.businessDate],
              ['Now', <When key="n" at={t.now} />],
              ['Day ends', <When key="e" at={t.nextEndOfDay} />],
              ['Last ended day', t.lastEndedDate],
              ['Clock', <Status key="c" value={t.clock} />],
              ['Timezone', t.timezone],
              ['Closing time', t.closingTime],
            ]}
          />
          {t.clock === 'MANUAL' ? (
            <Allowed object="time/clock" action="time:advance">
              <ActionForm
                label="Advance the clock"
                submitLabel="Advance"
                onSubmit={async (form) => {
                  const days = Number(form.get('days'));
                  if (!Number.isInteger(days) || days < 1 || days > 31) throw new InvalidInput('Advance by 1 to 31 days.');
                  await advance({ variables: { input: { days } } });
                }}
              >
                <Field label="Days">
                  <input name="days" type="number" min={1} max={31} defaultValue={1} />
                </Field>
              </ActionForm>
              {advanced.data ? (
                <p className="notice notice-info" role="status">
                  Ended {advanced.data.timeAdvance.endedDates.join(', ') || 'no day'}.
                  {behind.length ? ` Still working: ${behind.map((h) => h.name).join(', ')}.` : ''}
                </p>
              ) : null}
            </Allowed>
          ) : null}
        </>
      ) : (
        <Loading what="the time" />
      )}
    </Card>
  );
}

function Price() {
  const { data, error, refetch } = useQuery(PriceQuery);
  const [activate] = useMutation(ProviderActivate);
  const [setManual] = useMutation(ManualSet);
  const price = data?.realtimePrice;
  return (
    <Card title="Bitcoin price">
      <ErrorNotice error={error} />
      {data ? (
        <>
          <Details
            rows={[
              ['BTC/USD', price ? <Usd key="p" cents={price.usdCentsPerBtc} /> : 'None yet'],
              ['Source', price?.source ?? '—'],
              ['Updated', <When key="u" at={price?.updatedAt} />],
              ['Fresh', price ? (price.stale ? 'No: stale' : 'Yes') : '—'],
            ]}
          />
          <h2>Providers</h2>
          <ul>
            {data.priceProviders.map((p) => (
              <li key={p.id}>
                <strong>{p.name}</strong> ({p.kind.toLowerCase()}){p.active ? ' — active' : ''}: {p.lastPrice ? <Usd cents={p.lastPrice.usdCentsPerBtc} /> : 'no price'}
                {p.lastRefusal ? <span className="muted"> (last refused: {p.lastRefusal.reason})</span> : null}
                {!p.active ? (
                  <Allowed object="price/provider" action="price:manage">
                    <ActionForm
                      label={`Activate ${p.name}`}
                      submitLabel={`Use ${p.name}`}
                      className="inline"
                      onSubmit={async () => {
                        await activate({ variables: { input: { priceProviderId: p.id } } });
                        await refetch();
                      }}
                    />
                  </Allowed>
                ) : null}
              </li>
            ))}
          </ul>
          <Allowed object="price/provider" action="price:manage">
            <ActionForm
              label="Set the manual price"
              submitLabel="Set manual price"
              onSubmit={async (form) => {
                await setManual({ variables: { input: { usdCentsPerBtc: readAmount(form, 'price', 'USD') } } });
                await refetch();
              }}
            >
              <AmountInput name="price" currency="USD" label="Dollars per bitcoin" />
            </ActionForm>
          </Allowed>
        </>
      ) : (
        <Loading what="the price" />
      )}
    </Card>
  );
}
