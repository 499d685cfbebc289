-- The double-entry ledger: the bank's book of record.
--
-- Transactions and entries are append-only. `ledger_balances` holds the current totals per
-- (journal, account, currency) with a version that grows by one per transaction touching it; each
-- entry records the version it produced, so history and balance can be checked against each other.
CREATE TABLE ledger_currencies (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3,5}$'),
  scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 18)
);
INSERT INTO ledger_currencies (code, scale) VALUES ('USD', 2), ('BTC', 8);

CREATE TABLE ledger_journals (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  normal_side text NOT NULL CHECK (normal_side IN ('debit', 'credit')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked')),
  -- An account set only rolls up its members; nothing posts to it directly.
  is_set boolean NOT NULL DEFAULT false,
  -- The limit: when false, neither the settled nor the available balance may go below zero.
  allow_negative boolean NOT NULL DEFAULT true,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL
);

CREATE TABLE ledger_set_members (
  set_id uuid NOT NULL REFERENCES ledger_accounts (id),
  member_id uuid NOT NULL REFERENCES ledger_accounts (id),
  PRIMARY KEY (set_id, member_id),
  CHECK (set_id <> member_id)
);
CREATE INDEX ledger_set_members_member ON ledger_set_members (member_id);

CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY,
  journal_id uuid NOT NULL REFERENCES ledger_journals (id),
  external_id text NOT NULL,
  template text,
  effective date NOT NULL,
  recorded_at timestamptz NOT NULL,
  description text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- sha256 of the posting's content: a retry with the same external id must carry the same content.
  content_hash bytea NOT NULL,
  reverses uuid UNIQUE REFERENCES ledger_transactions (id),
  UNIQUE (journal_id, external_id)
);
CREATE INDEX ledger_transactions_recorded ON ledger_transactions (recorded_at);

CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  journal_id uuid NOT NULL,
  account_id uuid NOT NULL REFERENCES ledger_accounts (id),
  currency text NOT NULL REFERENCES ledger_currencies (code),
  layer smallint NOT NULL CHECK (layer IN (0, 1, 2)),
  direction smallint NOT NULL CHECK (direction IN (1, -1)),
  amount bigint NOT NULL CHECK (amount > 0),
  effective date NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  description text
);
CREATE INDEX ledger_entries_balance ON ledger_entries (journal_id, account_id, currency, effective)
  INCLUDE (layer, direction, amount);
CREATE INDEX ledger_entries_history ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

CREATE TABLE ledger_balances (
  journal_id uuid NOT NULL REFERENCES ledger_journals (id),
  account_id uuid NOT NULL REFERENCES ledger_accounts (id),
  currency text NOT NULL REFERENCES ledger_currencies (code),
  version bigint NOT NULL DEFAULT 0,
  settled_dr bigint NOT NULL DEFAULT 0,
  settled_cr bigint NOT NULL DEFAULT 0,
  pending_dr bigint NOT NULL DEFAULT 0,
  pending_cr bigint NOT NULL DEFAULT 0,
  encumbrance_dr bigint NOT NULL DEFAULT 0,
  encumbrance_cr bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (journal_id, account_id, currency)
);

SELECT es_make_append_only('ledger_transactions');
SELECT es_make_append_only('ledger_entries');

-- Every transaction balances per (currency, layer): checked again by the database when the
-- writing transaction commits, whatever wrote it.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id
    GROUP BY currency, layer HAVING sum(direction * amount) <> 0
  ) OR NOT EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id) THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_check_balanced AFTER INSERT ON ledger_transactions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
