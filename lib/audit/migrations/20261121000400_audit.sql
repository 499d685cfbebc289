-- Every authorization decision, allowed or denied. Append-only.
CREATE TABLE audit_entries (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  object text NOT NULL,
  action text NOT NULL,
  authorized boolean NOT NULL,
  correlation_id text,
  recorded_at timestamptz NOT NULL,
  -- The writing transaction: the sealer chains entries once their transaction is final.
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX audit_entries_subject ON audit_entries (subject, id);
CREATE INDEX audit_entries_object ON audit_entries (object, id);
CREATE INDEX audit_entries_action ON audit_entries (action, id);
CREATE INDEX audit_entries_recorded_at ON audit_entries (recorded_at);
CREATE INDEX audit_entries_tx ON audit_entries (tx_id, id);
SELECT es_make_append_only('audit_entries');

-- The hash chain over the entries: position n holds sha256(hash of n-1 || content of its entry).
CREATE TABLE audit_chain (
  position bigint PRIMARY KEY CHECK (position > 0),
  entry_id bigint NOT NULL UNIQUE REFERENCES audit_entries (id),
  prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
  hash bytea NOT NULL CHECK (length(hash) = 32)
);
SELECT es_make_append_only('audit_chain');

-- Entries of transactions older than the watermark are all in the chain.
CREATE TABLE audit_seal_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  watermark xid8 NOT NULL
);
INSERT INTO audit_seal_state (watermark) VALUES ('0');
