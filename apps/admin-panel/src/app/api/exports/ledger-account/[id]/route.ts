import type { NextRequest } from 'next/server';
import { routes } from '@/auth';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  return routes.ledgerExport(request, (await params).id);
}
