-- The bank's books (core/accounting). The chart's nodes, the base configuration and the
-- attachments are events of one chart; each node is also a ledger account set (lib/ledger).
CREATE TABLE accounting_charts (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL UNIQUE
);
SELECT es_create_events_table('accounting_chart_events');

-- Fiscal years: months closed in order, then the year with its closing transactions.
CREATE TABLE accounting_fiscal_years (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  year bigint NOT NULL UNIQUE CHECK (year BETWEEN 1900 AND 9999),
  closed boolean NOT NULL
);
SELECT es_create_events_table('accounting_fiscal_year_events');

-- Manual journal transactions, each posted to the ledger with its own external id.
CREATE TABLE accounting_manual_transactions (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL
);
SELECT es_create_events_table('accounting_manual_transaction_events');
