-- Prospects and customers (core/customer). A customer has the id of the prospect it came from.
CREATE TABLE customer_prospects (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  email text NOT NULL UNIQUE,
  kyc_status text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('open', 'converted'))
);
SELECT es_create_events_table('customer_prospect_events');

CREATE TABLE customer_customers (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  email text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('active', 'frozen', 'closed')),
  -- The customer realm's subject, linked at the first login.
  auth_subject text UNIQUE
);
SELECT es_create_events_table('customer_customer_events');
