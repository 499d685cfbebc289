-- A webhook that was authentic but concerned nothing here is 'ignored' (the reason in `error`); one
-- refused at the door (a bad signature) is kept as 'rejected' with the reason, so staff see every
-- delivery, and nothing processes it.
ALTER TABLE inbox_events DROP CONSTRAINT inbox_events_status_check;
ALTER TABLE inbox_events ADD CONSTRAINT inbox_events_status_check
  CHECK (status IN ('pending', 'processing', 'completed', 'ignored', 'failed', 'rejected'));
DROP INDEX inbox_events_status;
CREATE INDEX inbox_events_status ON inbox_events (status) WHERE status IN ('pending', 'processing', 'failed');
-- a source's deliveries for one subject (the custodian), newest first
CREATE INDEX inbox_events_by_key ON inbox_events (source, idempotency_key text_pattern_ops);
