-- Committees, policies and approval processes (core/governance). All event-sourced; these are
-- their index tables.

CREATE TABLE governance_committees (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100 AND name = btrim(name))
);
-- Names are unique regardless of case: "Credit" and "credit" would be confused by people.
CREATE UNIQUE INDEX governance_committees_name_key ON governance_committees (lower(name));
SELECT es_create_events_table('governance_committee_events');

-- One policy per process type; committee_id is set when a committee's approval is required.
CREATE TABLE governance_policies (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  process_type text NOT NULL UNIQUE
    CHECK (char_length(process_type) <= 64 AND process_type ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  committee_id uuid REFERENCES governance_committees (id)
);
SELECT es_create_events_table('governance_policy_events');

-- Every process is of a type that has a policy.
CREATE TABLE governance_approval_processes (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  process_type text NOT NULL REFERENCES governance_policies (process_type),
  target_id text NOT NULL CHECK (char_length(target_id) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('in_progress', 'approved', 'denied'))
);
-- Lists filtered by status, in creation order.
CREATE INDEX governance_approval_processes_status ON governance_approval_processes (status, created_at, id);
SELECT es_create_events_table('governance_approval_process_events');
