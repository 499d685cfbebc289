'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/** The accounting area's pages; the drill-down (nodes, ledger accounts) belongs to the chart. */
const SECTIONS: { href: string; label: string; also?: string[] }[] = [
  { href: '/accounting', label: 'Chart of accounts', also: ['/accounting/nodes/', '/accounting/ledger-accounts/'] },
  { href: '/accounting/trial-balance', label: 'Trial balance' },
  { href: '/accounting/balance-sheet', label: 'Balance sheet' },
  { href: '/accounting/profit-and-loss', label: 'Profit and loss' },
  { href: '/accounting/manual-transactions', label: 'Manual transactions' },
  { href: '/accounting/periods', label: 'Periods' },
];

export default function AccountingLayout({ children }: { children: ReactNode }) {
  const path = usePathname();
  const current = (s: (typeof SECTIONS)[number]) =>
    path === s.href || (s.href !== '/accounting' && path.startsWith(`${s.href}/`)) || (s.also ?? []).some((p) => path.startsWith(p));
  return (
    <>
      <nav className="subnav" aria-label="Accounting">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.href}>
              <Link href={s.href} aria-current={current(s) ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </>
  );
}
