'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { ActionForm, AmountInput, Field, InvalidInput, readAmount } from '@lana/shared/ui/components';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { graphql } from '@/gql';

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
const ProposalCreate = graphql(`
  mutation CreditFacilityProposalCreate($input: CreditFacilityProposalCreateInput!) {
    creditFacilityProposalCreate(input: $input) {
      creditFacility {
        id
      }
    }
  }
`);

/** Proposes a facility to the customer from a terms template; it then waits for their consent. */
export function ProposeCredit({ customerId, accounts, onDone }: { customerId: string; accounts: { id: string; publicId: string }[]; onDone: () => void }) {
  const templates = useQuery(TemplatesForProposal);
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
        await create({
          variables: { input: { customerId, depositAccountId: String(form.get('account')), amount, termsTemplateId } },
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
    </ActionForm>
  );
}
