import { routes } from '@/auth';

export const dynamic = 'force-dynamic';
export const GET = routes.login;
