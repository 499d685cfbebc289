'use client';
import { PageHeader } from '@lana/shared/ui/components';
import { useMe } from '@/permissions';

export default function Dashboard() {
  const me = useMe();
  return <PageHeader title={`Welcome, ${me.email}`} />;
}
