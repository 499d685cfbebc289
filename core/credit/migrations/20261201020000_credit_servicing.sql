-- Credit servicing (core/credit): interest accrual cycles and obligations. Event-sourced; these
-- are their index tables.
CREATE TABLE credit_accrual_cycles (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  facility_id uuid NOT NULL,
  open boolean NOT NULL,
  -- 1 for a facility's first cycle
  number bigint NOT NULL CHECK (number > 0),
  UNIQUE (facility_id, number)
);
-- one open cycle per facility
CREATE UNIQUE INDEX credit_accrual_cycles_open ON credit_accrual_cycles (facility_id) WHERE open;
SELECT es_create_events_table('credit_accrual_cycle_events');

CREATE TABLE credit_obligations (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  facility_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('interest', 'principal')),
  status text NOT NULL CHECK (status IN ('not_yet_due', 'due', 'overdue', 'defaulted')),
  -- the accrual cycle or disbursal it comes from: one obligation each
  source_id uuid NOT NULL UNIQUE
);
CREATE INDEX credit_obligations_facility ON credit_obligations (facility_id, created_at);
SELECT es_create_events_table('credit_obligation_events');
