'use client';
/**
 * Custodians' configuration forms (create and update share the fields of each provider) and the
 * link to a custodian by name. Secrets are write-only: typed in password fields, sent once, never
 * read back (the API has no field for them); in an update an empty secret keeps the stored one.
 */
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Field, InvalidInput } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { CustodianConfigInput, CustodianProvider } from '@/gql/graphql';
import { useMe } from '@/permissions';

const CustodianNameQuery = graphql(`
  query CustodianName($id: UUID!) {
    custodian(id: $id) {
      id
      name
    }
  }
`);

/** The providers in the SDL's order. */
export const PROVIDERS: CustodianProvider[] = ['BITGO', 'KOMAINU', 'SELF_CUSTODY', 'MANUAL'];

/** What each provider is, in a sentence. */
export const PROVIDER_HINTS: Record<CustodianProvider, string> = {
  BITGO: 'A BitGo enterprise: a wallet per facility, balances from its signed webhooks.',
  KOMAINU: 'A Komainu account: a wallet per facility, balances from its signed webhooks.',
  SELF_CUSTODY: 'The bank\u2019s own keys: an address per facility derived from an account public key, balances read from a block explorer.',
  MANUAL: 'No wallet: staff record the collateral by hand.',
};

export const SECRETS_NOTICE =
  'Secrets (access tokens, API secrets, passphrases, webhook secrets) are write-only: they are stored encrypted and never shown again, to anyone.';

/** The public configuration a form starts from (an update), as the API shows it. */
export interface PublicConfigView {
  baseUrl?: string | null;
  enterpriseId?: string | null;
  coin?: string | null;
  apiUser?: string | null;
  accountXpub?: string | null;
  explorerUrl?: string | null;
}

function Secret({ name, label, update }: { name: string; label: string; update: boolean }) {
  return (
    <Field label={label} hint={update ? 'Write-only; leave empty to keep the stored one.' : 'Write-only; never shown again.'}>
      <input name={name} type="password" autoComplete="new-password" required={!update} />
    </Field>
  );
}

/** The fields of `provider`'s configuration; `current` is given for an update. */
export function ConfigFields({ provider, current }: { provider: CustodianProvider; current?: PublicConfigView }) {
  const update = current !== undefined;
  switch (provider) {
    case 'BITGO':
      return (
        <>
          <Field label="Base URL" hint="The platform or BitGo Express, e.g. https://app.bitgo-test.com">
            <input name="baseUrl" type="url" required autoComplete="off" defaultValue={current?.baseUrl ?? ''} />
          </Field>
          <Field label="Enterprise id">
            <input name="enterpriseId" required autoComplete="off" defaultValue={current?.enterpriseId ?? ''} />
          </Field>
          <Field label="Coin" hint="btc, or tbtc4 on the test network">
            <input name="coin" required autoComplete="off" defaultValue={current?.coin ?? ''} />
          </Field>
          <Secret name="accessToken" label="Access token" update={update} />
          <Secret name="walletPassphrase" label="Wallet passphrase" update={update} />
          <Secret name="webhookSecret" label="Webhook secret" update={update} />
        </>
      );
    case 'KOMAINU':
      return (
        <>
          <Field label="Base URL">
            <input name="baseUrl" type="url" required autoComplete="off" defaultValue={current?.baseUrl ?? ''} />
          </Field>
          <Field label="API user">
            <input name="apiUser" required autoComplete="off" defaultValue={current?.apiUser ?? ''} />
          </Field>
          <Secret name="apiSecret" label="API secret" update={update} />
          <Secret name="webhookSecret" label="Webhook secret" update={update} />
        </>
      );
    case 'SELF_CUSTODY':
      return (
        <>
          <Field label="Account public key" hint="xpub/zpub, or tpub/vpub on the test network (m/84'/coin'/account'); never a private key">
            <input name="accountXpub" required autoComplete="off" spellCheck={false} defaultValue={current?.accountXpub ?? ''} />
          </Field>
          <Field label="Block explorer URL" hint="An Esplora-style explorer">
            <input name="explorerUrl" type="url" required autoComplete="off" defaultValue={current?.explorerUrl ?? ''} />
          </Field>
        </>
      );
    case 'MANUAL':
      return null;
  }
}

/** The configuration typed in a form of `ConfigFields`; empty secrets are left out (kept, in an update). */
export function configFrom(form: FormData, provider: CustodianProvider): CustodianConfigInput {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const required = (name: string, label: string) => {
    const value = text(name);
    if (!value) throw new InvalidInput(`${label}: required.`);
    return value;
  };
  // a secret is sent as typed (no trimming: it is the provider's value), or not at all
  const secret = (name: string) => {
    const value = String(form.get(name) ?? '');
    return value === '' ? null : value;
  };
  switch (provider) {
    case 'BITGO':
      return {
        bitgo: {
          baseUrl: required('baseUrl', 'Base URL'),
          enterpriseId: required('enterpriseId', 'Enterprise id'),
          coin: required('coin', 'Coin'),
          accessToken: secret('accessToken'),
          walletPassphrase: secret('walletPassphrase'),
          webhookSecret: secret('webhookSecret'),
        },
      };
    case 'KOMAINU':
      return {
        komainu: {
          baseUrl: required('baseUrl', 'Base URL'),
          apiUser: required('apiUser', 'API user'),
          apiSecret: secret('apiSecret'),
          webhookSecret: secret('webhookSecret'),
        },
      };
    case 'SELF_CUSTODY':
      return { selfCustody: { accountXpub: required('accountXpub', 'Account public key'), explorerUrl: required('explorerUrl', 'Block explorer URL') } };
    case 'MANUAL':
      return { manual: true };
  }
}

/** A custodian's name linked to its page, for those who may read custodians (else a generic label). */
export function CustodianLink({ id }: { id: string }) {
  const allowed = useMe().can('custody/custodian', 'custody:read');
  const { data } = useQuery(CustodianNameQuery, { variables: { id }, skip: !allowed });
  if (!allowed) return <span>A custodian</span>;
  return <Link href={`/custodians/${id}`}>{data?.custodian?.name ?? 'Custodian'}</Link>;
}
