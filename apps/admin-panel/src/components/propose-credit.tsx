'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { ActionForm, AmountInput, ErrorNotice, Field, InvalidInput, readAmount } from '@lana/shared/ui/components';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { providerLabel } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import { useMe } from '@/permissions';

const TemplatesForProposal = graphql(`
  query TemplatesForProposal {
    termsTemplates(first: 50) {
      nodes {
        id
        name
      }
    }
  }
`);
const CustodiansForProposal = graphql(`
  query CustodiansForProposal {
    custodians(first: 100) {
      nodes {
        id
        name
        provider
      }
    }
  }
`);
const ProposalCreate = graphql(`
  mutation CreditFacilityProposalCreate($input: CreditFacilityProposalCreateInput!) {
    creditFacilityProposalCreate(input: $input) {
      creditFacility {
        id
      }
    }
  }
`);

/**
 * Proposes a facility to the customer from a terms template; it then waits for their consent.
 * It may name a custodian (for those who may read custodians): a wallet is opened there at
 * approval and its reported balance is the collateral; without one, staff record it by hand.
 */
export function ProposeCredit({ customerId, accounts, onDone }: { customerId: string; accounts: { id: string; publicId: string }[]; onDone: () => void }) {
  const templates = useQuery(TemplatesForProposal);
  const custodyAllowed = useMe().can('custody/custodian', 'custody:read');
  const custodians = useQuery(CustodiansForProposal, { skip: !custodyAllowed });
  const [create] = useMutation(ProposalCreate);
  const [key, renewKey] = useIdempotencyKey();
  const options = templates.data?.termsTemplates.nodes ?? [];
  if (options.length === 0) return <p className="muted">Create a terms template to propose credit.</p>;
  return (
    <ActionForm
      label="Propose a credit facility"
      submitLabel="Propose credit facility"
      onSubmit={async (form) => {
        const amount = readAmount(form, 'amount', 'USD');
        const termsTemplateId = String(form.get('template') ?? '');
        if (!termsTemplateId) throw new InvalidInput('Choose a terms template.');
        const custodianId = String(form.get('custodian') ?? '') || null;
        await create({
          variables: { input: { customerId, depositAccountId: String(form.get('account')), amount, termsTemplateId, custodianId } },
          context: idempotent(key),
        });
        renewKey();
        onDone();
      }}
    >
      <AmountInput name="amount" currency="USD" label="Facility amount" />
      <Field label="Terms template">
        <select name="template">
          {options.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Pay into account">
        <select name="account">
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              Account {a.publicId}
            </option>
          ))}
        </select>
      </Field>
      {custodyAllowed ? (
        <Field label="Custodian" hint="Holds the collateral in a wallet opened at approval">
          <select name="custodian" defaultValue="">
            <option value="">None — collateral recorded by hand</option>
            {(custodians.data?.custodians.nodes ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({providerLabel(c.provider)})
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <ErrorNotice error={custodians.error} />
    </ActionForm>
  );
}
