-- Deposit accounts, deposits and withdrawals (core/deposit). Event-sourced; these are their index
-- tables. Money lives in the ledger; these rows say which ledger accounts and transactions belong
-- to which account, deposit or withdrawal.
CREATE SEQUENCE deposit_account_public_ids START 1000;

CREATE TABLE deposit_accounts (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  customer_id uuid NOT NULL,
  public_id text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('active', 'frozen', 'closed')),
  activity text NOT NULL CHECK (activity IN ('active', 'inactive', 'escheatable')),
  ledger_account_id uuid NOT NULL UNIQUE,
  frozen_ledger_account_id uuid NOT NULL UNIQUE,
  omnibus_account_id uuid NOT NULL
);
CREATE INDEX deposit_accounts_customer ON deposit_accounts (customer_id, created_at, id);
SELECT es_create_events_table('deposit_account_events');

CREATE TABLE deposit_deposits (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  account_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('confirmed', 'reverted'))
);
CREATE INDEX deposit_deposits_account ON deposit_deposits (account_id, created_at);
SELECT es_create_events_table('deposit_deposit_events');

CREATE TABLE deposit_withdrawals (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  account_id uuid NOT NULL,
  approval_process_id uuid NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('pending_approval', 'approved', 'denied', 'cancelled', 'confirmed', 'reverted'))
);
CREATE INDEX deposit_withdrawals_account ON deposit_withdrawals (account_id, created_at);
SELECT es_create_events_table('deposit_withdrawal_events');
