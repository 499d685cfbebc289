import type { ReactNode } from 'react';
import { currentSession } from '@lana/shared/bff';
import { ApiProvider } from '@lana/shared/ui/api';
import { Shell } from '@lana/shared/ui/components';
import { config } from '@/auth';
import { MeProvider } from '@/permissions';

const NAV = [
  { href: '/', label: 'Dashboard' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/prospects', label: 'Prospects' },
  { href: '/customers', label: 'Customers' },
  { href: '/deposit-accounts', label: 'Deposit accounts' },
  { href: '/credit-facilities', label: 'Credit facilities' },
  { href: '/terms-templates', label: 'Terms templates' },
  { href: '/governance', label: 'Committees & policies' },
  { href: '/users', label: 'Users & roles' },
  { href: '/audit', label: 'Audit log' },
  { href: '/settings', label: 'Settings, time & price' },
];

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await currentSession(config);
  return (
    <ApiProvider>
      <Shell product="Lana Admin" nav={NAV} email={session?.email ?? null}>
        <MeProvider>{children}</MeProvider>
      </Shell>
    </ApiProvider>
  );
}
