-- Credit payments, completion, liquidation and batched servicing (core/credit): a paid
-- obligation, a completed facility, the payments, the partial liquidations, and the day each
-- facility was last serviced.
ALTER TABLE credit_facilities DROP CONSTRAINT credit_facilities_status_check;
ALTER TABLE credit_facilities ADD CONSTRAINT credit_facilities_status_check
  CHECK (status IN ('pending_customer_approval', 'customer_declined', 'pending_approval',
    'denied', 'pending_collateral', 'active', 'completed'));

ALTER TABLE credit_obligations DROP CONSTRAINT credit_obligations_status_check;
ALTER TABLE credit_obligations ADD CONSTRAINT credit_obligations_status_check
  CHECK (status IN ('not_yet_due', 'due', 'overdue', 'defaulted', 'paid'));

CREATE TABLE credit_payments (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  facility_id uuid NOT NULL,
  -- part of it is not allocated to an obligation yet
  unapplied boolean NOT NULL
);
CREATE INDEX credit_payments_facility ON credit_payments (facility_id, created_at);
CREATE INDEX credit_payments_unapplied ON credit_payments (facility_id, created_at) WHERE unapplied;
SELECT es_create_events_table('credit_payment_events');

-- The last day the end of day serviced each facility (written with each batch of facilities,
-- so a crashed end of day resumes with the facilities not serviced yet).
CREATE TABLE credit_facility_servicing (
  facility_id uuid PRIMARY KEY,
  last_day date NOT NULL
);
-- the end of day walks the active facilities by id
CREATE INDEX credit_facilities_status_id ON credit_facilities (status, id);

-- Partial liquidations: one in progress per facility.
CREATE TABLE credit_liquidations (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  facility_id uuid NOT NULL,
  -- not completed yet
  active boolean NOT NULL
);
CREATE INDEX credit_liquidations_facility ON credit_liquidations (facility_id, created_at);
CREATE UNIQUE INDEX credit_liquidations_active ON credit_liquidations (facility_id) WHERE active;
SELECT es_create_events_table('credit_liquidation_events');
