'use client';
import { useMutation } from '@apollo/client/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionForm, Card, Field, PageHeader } from '@lana/shared/ui/components';
import { providerLabel } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import type { CustodianProvider } from '@/gql/graphql';
import { ConfigFields, PROVIDERS, PROVIDER_HINTS, SECRETS_NOTICE, configFrom } from '@/components/custodians';
import { Allowed } from '@/permissions';

const CustodianCreate = graphql(`
  mutation CustodianCreate($input: CustodianCreateInput!) {
    custodianCreate(input: $input) {
      custodian {
        id
      }
    }
  }
`);

export default function NewCustodianPage() {
  const router = useRouter();
  const [create] = useMutation(CustodianCreate);
  const [provider, setProvider] = useState<CustodianProvider>('BITGO');
  return (
    <>
      <p className="crumbs">
        <Link href="/custodians">Custodians</Link>
      </p>
      <PageHeader title="New custodian" />
      <Allowed object="custody/custodian" action="custody:write">
        <Card title="Custodian">
          <p className="notice notice-info">{SECRETS_NOTICE}</p>
          <Field label="Provider" hint={PROVIDER_HINTS[provider]}>
            <select value={provider} onChange={(e) => setProvider(e.target.value as CustodianProvider)}>
              {PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {providerLabel(p)}
                </option>
              ))}
            </select>
          </Field>
          <ActionForm
            key={provider}
            label="New custodian"
            submitLabel="Create custodian"
            className="stacked"
            onSubmit={async (form) => {
              const config = configFrom(form, provider);
              const result = await create({ variables: { input: { name: String(form.get('name') ?? '').trim(), config } } });
              const id = result.data?.custodianCreate.custodian.id;
              if (id) router.push(`/custodians/${id}`);
            }}
          >
            <Field label="Name" hint="Unique, up to 100 characters">
              <input name="name" required maxLength={100} autoComplete="off" />
            </Field>
            <ConfigFields provider={provider} />
          </ActionForm>
        </Card>
      </Allowed>
    </>
  );
}
