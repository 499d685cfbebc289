-- Exports of a ledger account's history as a CSV file, written by a job (core/accounting).
CREATE TABLE accounting_ledger_exports (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  account_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed'))
);
CREATE INDEX accounting_ledger_exports_account ON accounting_ledger_exports (account_id, created_at);
SELECT es_create_events_table('accounting_ledger_export_events');
