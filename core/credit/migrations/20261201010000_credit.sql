-- Credit (core/credit): terms templates, facilities (proposal to active) and disbursals.
-- Event-sourced; these are their index tables. Money and collateral live in the ledger.
CREATE TABLE credit_terms_templates (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL UNIQUE
);
SELECT es_create_events_table('credit_terms_template_events');

CREATE TABLE credit_facilities (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  customer_id uuid NOT NULL,
  deposit_account_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_customer_approval', 'customer_declined',
    'pending_approval', 'denied', 'pending_collateral', 'active')),
  -- still a proposal: pending customer approval, declined, pending approval or denied
  proposal boolean NOT NULL,
  collateralization_state text NOT NULL CHECK (collateralization_state IN ('not_evaluated',
    'fully_collateralized', 'under_margin_call_threshold', 'under_liquidation_threshold')),
  approval_process_id uuid UNIQUE
);
CREATE INDEX credit_facilities_customer ON credit_facilities (customer_id, created_at);
CREATE INDEX credit_facilities_status ON credit_facilities (status, created_at);
CREATE INDEX credit_facilities_proposal ON credit_facilities (proposal, created_at);
SELECT es_create_events_table('credit_facility_events');

CREATE TABLE credit_disbursals (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  facility_id uuid NOT NULL,
  approval_process_id uuid UNIQUE,
  status text NOT NULL CHECK (status IN ('pending_approval', 'settled', 'denied', 'cancelled'))
);
CREATE INDEX credit_disbursals_facility ON credit_disbursals (facility_id, created_at);
SELECT es_create_events_table('credit_disbursal_events');
