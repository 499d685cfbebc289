'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type ReactNode } from 'react';
import { fileToBase64 } from '@lana/shared/bytes';
import { ActionForm, Card, Details, Empty, ErrorNotice, Field, InvalidInput, Loading, PageHeader, humanize } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { AccountingBaseConfigUpdateInput, NormalBalance } from '@/gql/graphql';
import { NodeLink, indent } from '@/components/accounting';
import { Allowed } from '@/permissions';

const ChartQuery = graphql(`
  query AccountingChart {
    chartOfAccounts {
      name
      nodes {
        code
        name
        normalBalance
        parentCode
        depth
      }
      baseConfig {
        assets
        liabilities
        equity
        revenue
        costOfRevenue
        expenses
        retainedEarningsGain
        retainedEarningsLoss
        offBalanceSheet
        inceptionDate
      }
      attachments {
        moduleSetKey
        code
      }
    }
    accountingModuleSets {
      key
      name
      normalBalance
      attachedTo
    }
  }
`);
const CsvImport = graphql(`
  mutation ChartOfAccountsCsvImport($input: ChartOfAccountsCsvImportInput!) {
    chartOfAccountsCsvImport(input: $input) {
      chart {
        nodes {
          code
        }
      }
    }
  }
`);
const AddNode = graphql(`
  mutation ChartOfAccountsAddNode($input: ChartOfAccountsAddNodeInput!) {
    chartOfAccountsAddNode(input: $input) {
      node {
        code
        name
      }
    }
  }
`);
const BaseConfigUpdate = graphql(`
  mutation AccountingBaseConfigUpdate($input: AccountingBaseConfigUpdateInput!) {
    accountingBaseConfigUpdate(input: $input) {
      chart {
        name
      }
    }
  }
`);
const ModuleAttach = graphql(`
  mutation AccountingModuleAttach($input: AccountingModuleAttachInput!) {
    accountingModuleAttach(input: $input) {
      chart {
        name
      }
    }
  }
`);

/** The server takes files up to 2 MiB. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The base configuration's codes, in the form's order, with their labels. */
const CATEGORIES: [Exclude<keyof AccountingBaseConfigUpdateInput, 'offBalanceSheet' | 'inceptionDate'>, string][] = [
  ['assets', 'Assets'],
  ['liabilities', 'Liabilities'],
  ['equity', 'Equity'],
  ['revenue', 'Revenue'],
  ['costOfRevenue', 'Cost of revenue'],
  ['expenses', 'Expenses'],
  ['retainedEarningsGain', 'Retained earnings: gain'],
  ['retainedEarningsLoss', 'Retained earnings: loss'],
];

export default function ChartOfAccountsPage() {
  const { data, error, refetch } = useQuery(ChartQuery);
  const [importCsv] = useMutation(CsvImport);
  const [addNode] = useMutation(AddNode);
  const [updateConfig] = useMutation(BaseConfigUpdate);
  const [attach] = useMutation(ModuleAttach);
  const [imported, setImported] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const chart = data?.chartOfAccounts;
  const config = chart?.baseConfig;
  const attachedAt = (code: string) => chart?.attachments.filter((a) => a.code === code).map((a) => a.moduleSetKey) ?? [];
  return (
    <>
      <PageHeader title="Chart of accounts" />
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the chart" /> : null}
      {chart ? (
        <>
          <Card title="Nodes">
            {chart.nodes.length === 0 ? (
              <Empty>The chart is empty: import a chart file or add a node.</Empty>
            ) : (
              <div className="table-wrap" tabIndex={0}>
                <table aria-label="Chart of accounts">
                  <thead>
                    <tr>
                      <th>Code</th>
                      <th>Name</th>
                      <th>Normal balance</th>
                      <th>Attached account sets</th>
                    </tr>
                  </thead>
                  <tbody>
                    {chart.nodes.map((n) => (
                      <tr key={n.code}>
                        <td style={indent(n.depth)}>
                          <NodeLink code={n.code} />
                        </td>
                        <td>{n.name}</td>
                        <td>{humanize(n.normalBalance)}</td>
                        <td className="mono">{attachedAt(n.code).join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          <Allowed object="accounting/chart" action="accounting:write">
            <div className="grid">
              <Card title="Import a chart file">
                <p className="muted">
                  A CSV file without a header: code sections, name, normal balance (Debit or Credit; empty for the parent&apos;s). The whole file is imported, or
                  nothing; nodes already in the chart are kept as they are.
                </p>
                <ActionForm
                  label="Import a chart file"
                  submitLabel="Import CSV"
                  className="stacked"
                  onSubmit={async (form) => {
                    const file = form.get('file');
                    if (!(file instanceof File) || file.name === '') throw new InvalidInput('Choose a file.');
                    if (file.size > MAX_FILE_BYTES) throw new InvalidInput('The file is larger than 2 MiB.');
                    setImported(null);
                    const before = chart.nodes.length;
                    const result = await importCsv({ variables: { input: { fileBase64: await fileToBase64(file) } } });
                    const after = result.data?.chartOfAccountsCsvImport.chart.nodes.length ?? before;
                    await refetch();
                    setImported(`Imported ${file.name}: ${after - before} new node${after - before === 1 ? '' : 's'}, ${after} in the chart.`);
                  }}
                >
                  <Field label="Chart file (CSV)">
                    <input name="file" type="file" accept=".csv,text/csv" required />
                  </Field>
                </ActionForm>
                {imported ? (
                  <p className="notice notice-info" role="status">
                    {imported}
                  </p>
                ) : null}
              </Card>
              <Card title="Add a node">
                <ActionForm
                  label="Add a node"
                  submitLabel="Add node"
                  className="stacked"
                  onSubmit={async (form) => {
                    const text = (name: string) => String(form.get(name) ?? '').trim();
                    const normalBalance = text('normalBalance');
                    setAdded(null);
                    const result = await addNode({
                      variables: {
                        input: {
                          parentCode: text('parentCode') || null,
                          section: text('section'),
                          name: text('name'),
                          normalBalance: normalBalance ? (normalBalance as NormalBalance) : null,
                        },
                      },
                    });
                    await refetch();
                    const node = result.data?.chartOfAccountsAddNode.node;
                    if (node) setAdded(`Added ${node.code} ${node.name}.`);
                  }}
                >
                  <Field label="Parent code" hint="Empty for a top-level node">
                    <input name="parentCode" autoComplete="off" placeholder="e.g. 11.01" />
                  </Field>
                  <Field label="Section" hint="The new node's last code section, e.g. 03 under 11.01 makes 11.01.03">
                    <input name="section" autoComplete="off" required inputMode="numeric" />
                  </Field>
                  <Field label="Name">
                    <input name="name" autoComplete="off" required />
                  </Field>
                  <Field label="Normal balance">
                    <select name="normalBalance" defaultValue="">
                      <option value="">The parent&apos;s</option>
                      <option value="DEBIT">Debit</option>
                      <option value="CREDIT">Credit</option>
                    </select>
                  </Field>
                </ActionForm>
                {added ? (
                  <p className="notice notice-info" role="status">
                    {added}
                  </p>
                ) : null}
              </Card>
            </div>
          </Allowed>
          <Card title="Base configuration">
            {config ? (
              <Details
                rows={[
                  ...CATEGORIES.map(([key, label]): [string, ReactNode] => [label, <NodeLink key={key} code={config[key]} />]),
                  [
                    'Off balance sheet',
                    config.offBalanceSheet.length ? (
                      <span key="off">
                        {config.offBalanceSheet.map((code, i) => (
                          <span key={code}>
                            {i ? ', ' : ''}
                            <NodeLink code={code} />
                          </span>
                        ))}
                      </span>
                    ) : (
                      'None'
                    ),
                  ],
                  ['Inception date', config.inceptionDate],
                ]}
              />
            ) : (
              <Empty>Not set yet: statements, manual transactions and periods need it.</Empty>
            )}
            <Allowed object="accounting/chart" action="accounting:write">
              <h2>{config ? 'Change the base configuration' : 'Set the base configuration'}</h2>
              <ActionForm
                key={JSON.stringify(config ?? null)}
                label="Base configuration"
                submitLabel="Save configuration"
                onSubmit={async (form) => {
                  const text = (name: string) => String(form.get(name) ?? '').trim();
                  const input = {
                    ...(Object.fromEntries(CATEGORIES.map(([key]) => [key, text(key)])) as Record<(typeof CATEGORIES)[number][0], string>),
                    offBalanceSheet: text('offBalanceSheet')
                      .split(/[\s,]+/)
                      .filter(Boolean),
                    inceptionDate: text('inceptionDate'),
                  };
                  await updateConfig({ variables: { input } });
                  await refetch();
                }}
              >
                {CATEGORIES.map(([key, label]) => (
                  <Field key={key} label={label}>
                    <input name={key} autoComplete="off" required defaultValue={config?.[key] ?? ''} />
                  </Field>
                ))}
                <Field label="Off-balance-sheet codes" hint="Separated by commas, e.g. 7, 8">
                  <input name="offBalanceSheet" autoComplete="off" defaultValue={config?.offBalanceSheet.join(', ') ?? ''} />
                </Field>
                <Field label="Inception date" hint="The books' first day">
                  <input name="inceptionDate" type="date" required defaultValue={config?.inceptionDate ?? ''} />
                </Field>
              </ActionForm>
            </Allowed>
          </Card>
          <Card title="Module account sets">
            <p className="muted">The domains&apos; account sets: attached under a chart node of the same normal balance, their postings (earlier ones too) roll up into it.</p>
            <div className="table-wrap" tabIndex={0}>
              <table aria-label="Module account sets">
                <thead>
                  <tr>
                    <th>Key</th>
                    <th>Name</th>
                    <th>Normal balance</th>
                    <th>Attached to</th>
                    <th>Attach under a chart node</th>
                  </tr>
                </thead>
                <tbody>
                  {data.accountingModuleSets.map((s) => (
                    <tr key={s.key}>
                      <td>
                        <code>{s.key}</code>
                      </td>
                      <td>{s.name}</td>
                      <td>{humanize(s.normalBalance)}</td>
                      <td>{s.attachedTo ? <NodeLink code={s.attachedTo} /> : <span className="muted">Not attached</span>}</td>
                      <td>
                        {s.attachedTo ? null : (
                          <Allowed object="accounting/chart" action="accounting:write">
                            <ActionForm
                              label={`Attach ${s.key}`}
                              submitLabel="Attach"
                              onSubmit={async (form) => {
                                await attach({ variables: { input: { moduleSetKey: s.key, code: String(form.get('code') ?? '').trim() } } });
                                await refetch();
                              }}
                            >
                              <Field label="Under code">
                                <input name="code" autoComplete="off" required size={8} placeholder="e.g. 21.01" />
                              </Field>
                            </ActionForm>
                          </Allowed>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      ) : null}
    </>
  );
}
