import type { ReactNode } from 'react';
import { currentSession } from '@lana/shared/bff';
import { ApiProvider } from '@lana/shared/ui/api';
import { Shell } from '@lana/shared/ui/components';
import { config } from '@/auth';

const NAV = [
  { href: '/', label: 'My accounts' },
  { href: '/credit', label: 'My credit' },
];

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await currentSession(config);
  return (
    <ApiProvider>
      <Shell product="Lana Bank" nav={NAV} email={session?.email ?? null}>
        {children}
      </Shell>
    </ApiProvider>
  );
}
