import type { NextRequest } from 'next/server';
import { routes } from '@/auth';

/** Every page needs a live session; without one the browser goes to the login. */
export function proxy(request: NextRequest) {
  return routes.requireSession(request);
}

export const config = {
  matcher: ['/((?!api/|_next/|favicon.ico|signed-out).*)'],
};
