import type { ReactNode } from 'react';
import { currentSession } from '@lana/shared/bff';
import { ApiProvider } from '@lana/shared/ui/api';
import { config } from '@/auth';
import { AdminShell } from '@/components/admin-shell';
import { MeProvider } from '@/permissions';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await currentSession(config);
  return (
    <ApiProvider>
      <MeProvider>
        <AdminShell email={session?.email ?? null}>{children}</AdminShell>
      </MeProvider>
    </ApiProvider>
  );
}
