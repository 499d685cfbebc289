/**
 * Whether a staff user's permissions (`me.permissions` on the admin API: object and action
 * patterns such as `deposit/*` + `deposit:write`, or `*` + `*` for the superuser) allow an action
 * on an object. The admin panel hides what they do not allow; the API decides anyway.
 */
export interface Permission {
  object: string;
  action: string;
}

function matches(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  return pattern.endsWith('/*') && value.startsWith(pattern.slice(0, -1));
}

/** `object` and `action` are concrete, e.g. `deposit/account` and `deposit:write`. */
export function allows(permissions: Permission[], object: string, action: string): boolean {
  return permissions.some((p) => matches(p.object, object) && (p.action === '*' || p.action === action));
}
