-- A small entity used only by the toolkit's own tests.
CREATE TABLE test_accounts (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  frozen boolean NOT NULL
);
SELECT es_create_events_table('test_account_events');
