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

-- No per-row foreign keys on the hot path: a transaction's journal, accounts and currencies are
-- those of its entries' balance rows, which reference all three and which the ledger locks to post.
CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY,
  journal_id uuid NOT NULL,
  external_id text NOT NULL,
  template text,
  effective date NOT NULL,
  recorded_at timestamptz NOT NULL,
  description text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- sha256 of the posting's content: a retry with the same external id must carry the same content.
  content_hash bytea NOT NULL,
  reverses uuid,
  UNIQUE (journal_id, external_id)
);
CREATE UNIQUE INDEX ledger_transactions_reverses ON ledger_transactions (reverses) WHERE reverses IS NOT NULL;

CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  transaction_id uuid NOT NULL,
  journal_id uuid NOT NULL,
  account_id uuid NOT NULL,
  currency text NOT NULL,
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
) WITH (fillfactor = 50); -- room for in-page (HOT) updates of hot balances

SELECT es_make_append_only('ledger_transactions');
SELECT es_make_append_only('ledger_entries');

-- Every transaction balances per (currency, layer): checked again by the database for every
-- statement that inserts entries (a transaction's entries are inserted by one statement), whatever
-- wrote them. One set-based check per statement rather than work per row keeps batches cheap;
-- that entries belong to their transaction, journal, account and currency is the ledger's own
-- guarantee (one code path writes all of them) and is checked by its invariant tests.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bad uuid;
BEGIN
  SELECT transaction_id INTO bad FROM new_entries
  GROUP BY transaction_id, currency, layer HAVING sum(direction * amount) <> 0 LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', bad USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_check_balanced AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced();
