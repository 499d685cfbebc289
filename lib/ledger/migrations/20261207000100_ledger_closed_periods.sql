-- Closed periods. A journal closed through a date takes no transaction effective on or before it.
-- The ledger refuses such a posting while it locks balances (a refusal of that posting alone);
-- this trigger refuses it for every insert, whatever wrote it. Closing locks `ledger_balances`
-- exclusively first (see `Ledger::close_through_in_op`), so no posting is in flight across it.
ALTER TABLE ledger_journals ADD COLUMN closed_through date;

CREATE FUNCTION ledger_refuse_closed_period() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.effective, j.closed_through INTO bad
  FROM new_transactions n JOIN ledger_journals j ON j.id = n.journal_id
  WHERE n.effective <= j.closed_through LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % is effective on %, in a period closed through %',
      bad.id, bad.effective, bad.closed_through USING ERRCODE = 'LD001';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_refuse_closed_period AFTER INSERT ON ledger_transactions
  REFERENCING NEW TABLE AS new_transactions FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_closed_period();
