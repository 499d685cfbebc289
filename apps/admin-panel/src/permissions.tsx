'use client';
/**
 * What the signed-in staff user may do, from `me.permissions` (see `allows`). Pages hide the
 * actions a role cannot use; the API refuses them anyway (NOT_AUTHORIZED, in the audit log).
 */
import { useQuery } from '@apollo/client/react';
import { createContext, useContext, type ReactNode } from 'react';
import { allows } from '@lana/shared/permissions';
import { ErrorNotice, Loading } from '@lana/shared/ui/components';
import { graphql } from '@/gql';

const MeQuery = graphql(`
  query Me {
    me {
      user {
        id
        email
      }
      permissions {
        object
        action
      }
    }
  }
`);

interface Me {
  userId: string;
  email: string;
  can: (object: string, action: string) => boolean;
}

const MeContext = createContext<Me | null>(null);

export function MeProvider({ children }: { children: ReactNode }) {
  const { data, error } = useQuery(MeQuery);
  if (error && !data) return <ErrorNotice error={error} />;
  if (!data) return <Loading what="your profile" />;
  const permissions = data.me.permissions;
  const me: Me = {
    userId: data.me.user.id,
    email: data.me.user.email,
    can: (object, action) => allows(permissions, object, action),
  };
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside MeProvider');
  return me;
}

/** Renders its children only when the user may do `action` on `object`. */
export function Allowed({ object, action, children }: { object: string; action: string; children: ReactNode }) {
  return useMe().can(object, action) ? <>{children}</> : null;
}
