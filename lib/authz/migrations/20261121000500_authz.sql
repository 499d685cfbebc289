-- Role-based access control. A permission set is a set of (object pattern, action); a role is a set
-- of permission sets; a subject (staff user) has one role. Any change notifies every process, which
-- reloads its in-memory copy.
CREATE TABLE authz_permission_sets (
  name text PRIMARY KEY,
  description text NOT NULL DEFAULT ''
);

CREATE TABLE authz_permissions (
  permission_set text NOT NULL REFERENCES authz_permission_sets (name) ON DELETE CASCADE,
  object text NOT NULL CHECK (object <> ''),
  action text NOT NULL CHECK (action <> ''),
  PRIMARY KEY (permission_set, object, action)
);

CREATE TABLE authz_roles (
  name text PRIMARY KEY CHECK (name <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authz_role_permission_sets (
  role text NOT NULL REFERENCES authz_roles (name) ON DELETE CASCADE,
  permission_set text NOT NULL REFERENCES authz_permission_sets (name) ON DELETE CASCADE,
  PRIMARY KEY (role, permission_set)
);

CREATE TABLE authz_subject_roles (
  subject text PRIMARY KEY,
  role text NOT NULL REFERENCES authz_roles (name)
);

CREATE FUNCTION authz_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lana_authz', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER authz_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_permission_sets
  FOR EACH STATEMENT EXECUTE FUNCTION authz_notify();
CREATE TRIGGER authz_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_permissions
  FOR EACH STATEMENT EXECUTE FUNCTION authz_notify();
CREATE TRIGGER authz_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_roles
  FOR EACH STATEMENT EXECUTE FUNCTION authz_notify();
CREATE TRIGGER authz_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_role_permission_sets
  FOR EACH STATEMENT EXECUTE FUNCTION authz_notify();
CREATE TRIGGER authz_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_subject_roles
  FOR EACH STATEMENT EXECUTE FUNCTION authz_notify();
