-- Incoming webhooks (KYC provider, custodians). Stored before anything else happens; processed by a
-- job; a second delivery with the same (source, idempotency_key) is ignored.
CREATE TABLE inbox_events (
  id uuid PRIMARY KEY,
  source text NOT NULL,
  idempotency_key text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  error text,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  UNIQUE (source, idempotency_key)
);

CREATE INDEX inbox_events_status ON inbox_events (status) WHERE status <> 'completed';
