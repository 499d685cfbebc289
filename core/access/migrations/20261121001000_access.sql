-- Staff users and roles (core/access). Both event-sourced; these are their index tables.
CREATE TABLE access_users (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  email text NOT NULL UNIQUE,
  role_id uuid NOT NULL,
  -- The identity provider's subject, stored at the first login.
  auth_subject text UNIQUE
);
SELECT es_create_events_table('access_user_events');

CREATE TABLE access_roles (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL UNIQUE
);
SELECT es_create_events_table('access_role_events');
