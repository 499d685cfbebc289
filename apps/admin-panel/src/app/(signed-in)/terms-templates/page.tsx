'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { ActionForm, Card, Empty, ErrorNotice, Field, InvalidInput, Loading, PageHeader, Pager, When, useCursorPager } from '@lana/shared/ui/components';
import { TermsDetails } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import type { DisbursalPolicy, TermsInput, TermsTemplatesQuery } from '@/gql/graphql';
import { Allowed } from '@/permissions';

const TemplatesQuery = graphql(`
  query TermsTemplates($first: Int!, $after: String) {
    termsTemplates(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        createdAt
        terms {
          annualRate
          effectiveAnnualRate
          durationMonths
          accrualInterval
          accrualCycleInterval
          structuringFeeRate
          initialCvl
          marginCallCvl
          liquidationCvl
          interestDueAfterDays
          overdueAfterDays
          liquidationAfterDays
          disbursalPolicy
        }
      }
    }
  }
`);
const TemplateCreate = graphql(`
  mutation TermsTemplateCreate($input: TermsTemplateCreateInput!) {
    termsTemplateCreate(input: $input) {
      termsTemplate {
        id
      }
    }
  }
`);
const TemplateUpdate = graphql(`
  mutation TermsTemplateUpdate($input: TermsTemplateUpdateInput!) {
    termsTemplateUpdate(input: $input) {
      termsTemplate {
        id
      }
    }
  }
`);

type Template = TermsTemplatesQuery['termsTemplates']['nodes'][number];
const DECIMAL = /^\d+(\.\d+)?$/;

/** The terms typed in the form; percentages stay exact decimal strings. */
function termsFrom(form: FormData): TermsInput {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const decimal = (name: string, label: string) => {
    const value = text(name);
    if (!DECIMAL.test(value)) throw new InvalidInput(`${label}: a number such as 12 or 12.5.`);
    return value;
  };
  const days = (name: string, label: string, optional = false) => {
    const value = text(name);
    if (optional && value === '') return null;
    if (!/^\d+$/.test(value)) throw new InvalidInput(`${label}: a whole number of days.`);
    return Number(value);
  };
  if (!/^\d+$/.test(text('durationMonths'))) throw new InvalidInput('Duration: a whole number of months.');
  return {
    annualRate: decimal('annualRate', 'Annual rate'),
    durationMonths: Number(text('durationMonths')),
    accrualInterval: 'END_OF_DAY',
    accrualCycleInterval: 'END_OF_MONTH',
    interestDueAfterDays: days('interestDueAfterDays', 'Interest due after') ?? 0,
    overdueAfterDays: days('overdueAfterDays', 'Overdue after', true),
    liquidationAfterDays: days('liquidationAfterDays', 'Liquidation after', true),
    structuringFeeRate: decimal('structuringFeeRate', 'Structuring fee'),
    initialCvl: decimal('initialCvl', 'Initial CVL'),
    marginCallCvl: decimal('marginCallCvl', 'Margin call CVL'),
    liquidationCvl: decimal('liquidationCvl', 'Liquidation CVL'),
    disbursalPolicy: text('disbursalPolicy') as DisbursalPolicy,
  };
}

function TermsFields({ template }: { template?: Template }) {
  const t = template?.terms;
  return (
    <>
      <Field label="Name">
        <input name="name" required defaultValue={template?.name} autoComplete="off" />
      </Field>
      <Field label="Annual rate (%)">
        <input name="annualRate" required inputMode="decimal" defaultValue={t?.annualRate ?? '12'} />
      </Field>
      <Field label="Duration (months)">
        <input name="durationMonths" required inputMode="numeric" defaultValue={t?.durationMonths ?? 12} />
      </Field>
      <Field label="Structuring fee (%)">
        <input name="structuringFeeRate" required inputMode="decimal" defaultValue={t?.structuringFeeRate ?? '1'} />
      </Field>
      <Field label="Initial CVL (%)">
        <input name="initialCvl" required inputMode="decimal" defaultValue={t?.initialCvl ?? '150'} />
      </Field>
      <Field label="Margin call CVL (%)">
        <input name="marginCallCvl" required inputMode="decimal" defaultValue={t?.marginCallCvl ?? '120'} />
      </Field>
      <Field label="Liquidation CVL (%)">
        <input name="liquidationCvl" required inputMode="decimal" defaultValue={t?.liquidationCvl ?? '105'} />
      </Field>
      <Field label="Interest due after (days)">
        <input name="interestDueAfterDays" required inputMode="numeric" defaultValue={t?.interestDueAfterDays ?? 30} />
      </Field>
      <Field label="Overdue after (days, empty: never)">
        <input name="overdueAfterDays" inputMode="numeric" defaultValue={t ? (t.overdueAfterDays ?? '') : 30} />
      </Field>
      <Field label="Liquidation after (days, empty: never)">
        <input name="liquidationAfterDays" inputMode="numeric" defaultValue={t ? (t.liquidationAfterDays ?? '') : 90} />
      </Field>
      <Field label="Disbursals">
        <select name="disbursalPolicy" defaultValue={t?.disbursalPolicy ?? 'MULTIPLE'}>
          <option value="MULTIPLE">Several, each approved</option>
          <option value="SINGLE">Whole amount at activation</option>
        </select>
      </Field>
    </>
  );
}

export default function TermsTemplatesPage() {
  const pager = useCursorPager();
  const { data, error, refetch } = useQuery(TemplatesQuery, { variables: { first: 20, after: pager.after } });
  const [create] = useMutation(TemplateCreate);
  const [update] = useMutation(TemplateUpdate);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Terms templates" />
      <Allowed object="credit/terms-template" action="credit:write">
        <Card title="New template">
          <ActionForm
            label="New terms template"
            submitLabel="Create template"
            onSubmit={async (form) => {
              await create({ variables: { input: { name: String(form.get('name')), terms: termsFrom(form) } } });
              await refetch();
            }}
          >
            <TermsFields />
          </ActionForm>
        </Card>
      </Allowed>
      <ErrorNotice error={error} />
      {!data ? <Loading what="templates" /> : null}
      {data && data.termsTemplates.nodes.length === 0 ? <Empty>No terms templates yet.</Empty> : null}
      {data?.termsTemplates.nodes.map((t) => (
        <Card key={t.id} title={t.name}>
          <p className="muted">
            Created <When at={t.createdAt} />. Facilities keep the terms they were proposed with; editing changes only new proposals.
          </p>
          {editing === t.id ? (
            <ActionForm
              label={`Edit ${t.name}`}
              submitLabel="Save template"
              onSubmit={async (form) => {
                await update({ variables: { input: { id: t.id, name: String(form.get('name')), terms: termsFrom(form) } } });
                setEditing(null);
                await refetch();
              }}
            >
              <TermsFields template={t} />
            </ActionForm>
          ) : (
            <>
              <TermsDetails terms={t.terms} />
              <Allowed object="credit/terms-template" action="credit:write">
                <p>
                  <button type="button" className="button secondary" onClick={() => setEditing(t.id)}>
                    Edit {t.name}
                  </button>
                </p>
              </Allowed>
            </>
          )}
        </Card>
      ))}
      <Pager pager={pager} pageInfo={data?.termsTemplates.pageInfo} />
    </>
  );
}
