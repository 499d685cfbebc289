-- Totals of each account set's leaf members per (journal, currency, effective date), so that
-- statements over sets with millions of members read a few rows per set instead of every
-- member's balance. Kept by the projector `ledger.set-totals`, an outbox handler of
-- `transactions_committed` (off the posting path); a reader adds the transactions published
-- after the projector's position, in the same snapshot, so what it reads is exact (see
-- `rollup.rs`). Only direct memberships of leaf accounts are projected; sets roll up sets when
-- read.
ALTER TABLE ledger_set_members ADD COLUMN member_is_set boolean NOT NULL DEFAULT false;
UPDATE ledger_set_members m SET member_is_set = true
  FROM ledger_accounts a WHERE a.id = m.member_id AND a.is_set;
-- An account is a direct member of one set at most (sets nest instead), so no account is counted
-- twice under a root.
CREATE UNIQUE INDEX ledger_set_members_one_set_per_account ON ledger_set_members (member_id) WHERE NOT member_is_set;
-- The set tree without the (many) leaf members.
CREATE INDEX ledger_set_members_sets ON ledger_set_members (set_id) INCLUDE (member_id) WHERE member_is_set;

CREATE TABLE ledger_set_totals (
  set_id uuid NOT NULL,
  journal_id uuid NOT NULL,
  currency text NOT NULL,
  effective date NOT NULL,
  settled_dr bigint NOT NULL DEFAULT 0,
  settled_cr bigint NOT NULL DEFAULT 0,
  pending_dr bigint NOT NULL DEFAULT 0,
  pending_cr bigint NOT NULL DEFAULT 0,
  encumbrance_dr bigint NOT NULL DEFAULT 0,
  encumbrance_cr bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (set_id, journal_id, currency, effective)
);

-- What the entries of `transactions` (only those of `only_account`, when given) add to the
-- totals of their accounts' sets. Inlined where it is read.
CREATE FUNCTION ledger_set_totals_of(transactions uuid[], only_account uuid DEFAULT NULL)
RETURNS TABLE (set_id uuid, journal_id uuid, currency text, effective date,
               settled_dr bigint, settled_cr bigint, pending_dr bigint, pending_cr bigint,
               encumbrance_dr bigint, encumbrance_cr bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.set_id, e.journal_id, e.currency, e.effective,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 0 AND e.direction = 1), 0)::bigint,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 0 AND e.direction = -1), 0)::bigint,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 1 AND e.direction = 1), 0)::bigint,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 1 AND e.direction = -1), 0)::bigint,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 2 AND e.direction = 1), 0)::bigint,
         coalesce(sum(e.amount) FILTER (WHERE e.layer = 2 AND e.direction = -1), 0)::bigint
  FROM ledger_entries e JOIN ledger_set_members m ON m.member_id = e.account_id
  WHERE e.transaction_id = ANY(transactions) AND (only_account IS NULL OR e.account_id = only_account)
  GROUP BY 1, 2, 3, 4
$$;

-- Adds them to `ledger_set_totals` (in key order); returns the rows written.
CREATE FUNCTION ledger_add_set_totals(transactions uuid[], only_account uuid DEFAULT NULL)
RETURNS integer LANGUAGE sql AS $$
  WITH written AS (
    INSERT INTO ledger_set_totals AS t
    SELECT * FROM ledger_set_totals_of(transactions, only_account) ORDER BY 1, 2, 3, 4
    ON CONFLICT (set_id, journal_id, currency, effective) DO UPDATE SET
      settled_dr = t.settled_dr + EXCLUDED.settled_dr,
      settled_cr = t.settled_cr + EXCLUDED.settled_cr,
      pending_dr = t.pending_dr + EXCLUDED.pending_dr,
      pending_cr = t.pending_cr + EXCLUDED.pending_cr,
      encumbrance_dr = t.encumbrance_dr + EXCLUDED.encumbrance_dr,
      encumbrance_cr = t.encumbrance_cr + EXCLUDED.encumbrance_cr
    RETURNING 1
  )
  SELECT count(*)::integer FROM written
$$;

-- What is already posted is projected here, and the projector starts after it.
SELECT ledger_add_set_totals(ARRAY(SELECT id FROM ledger_transactions));
INSERT INTO outbox_handlers (name, position)
SELECT 'ledger.set-totals', coalesce(max(sequence), 0) FROM outbox_events
ON CONFLICT (name) DO NOTHING;
