'use client';
import type { ReactNode } from 'react';
import { Shell } from '@lana/shared/ui/components';
import { useMe } from '@/permissions';

/** The sections of the panel, each shown to those who may read what it shows. */
const NAV: { href: string; label: string; object: string; action: string }[] = [
  { href: '/', label: 'Dashboard', object: 'deposit/account', action: 'deposit:read' },
  { href: '/approvals', label: 'Approvals', object: 'governance/approval-process', action: 'governance:read' },
  { href: '/prospects', label: 'Prospects', object: 'customer/prospect', action: 'customer:read' },
  { href: '/customers', label: 'Customers', object: 'customer/customer', action: 'customer:read' },
  { href: '/deposit-accounts', label: 'Deposit accounts', object: 'deposit/account', action: 'deposit:read' },
  { href: '/credit-facilities', label: 'Credit facilities', object: 'credit/facility', action: 'credit:read' },
  { href: '/terms-templates', label: 'Terms templates', object: 'credit/terms-template', action: 'credit:read' },
  { href: '/custodians', label: 'Custodians', object: 'custody/custodian', action: 'custody:read' },
  { href: '/governance', label: 'Committees & policies', object: 'governance/committee', action: 'governance:read' },
  { href: '/users', label: 'Users & roles', object: 'access/user', action: 'access:read' },
  { href: '/accounting', label: 'Accounting', object: 'accounting/chart', action: 'accounting:read' },
  { href: '/audit', label: 'Audit log', object: 'audit/log', action: 'audit:read' },
  { href: '/settings', label: 'Settings, time & price', object: 'config/domain', action: 'config:read' },
];

export function AdminShell({ email, children }: { email: string | null; children: ReactNode }) {
  const me = useMe();
  const nav = NAV.filter((item) => me.can(item.object, item.action));
  return (
    <Shell product="Lana Admin" nav={nav} email={email ?? me.email}>
      {children}
    </Shell>
  );
}
