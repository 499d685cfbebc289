-- Custodians: an event stream and an index row each. Their secrets are not in the events (an
-- event is forever, a key rotation must reach every copy of a secret): they sit encrypted in
-- custody_secrets, one row per custodian, re-encrypted in place when the key rotates.
SELECT es_create_events_table('custodian_events');
CREATE TABLE custodians (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL UNIQUE,
  provider text NOT NULL CHECK (provider IN ('bitgo', 'komainu', 'self_custody', 'manual'))
);

CREATE TABLE custody_secrets (
  custodian_id uuid PRIMARY KEY REFERENCES custodians (id),
  -- AES-256-GCM: a 12-byte nonce, then the ciphertext and its tag; the custodian's id is the
  -- associated data, so a row moved to another custodian does not open
  sealed bytea NOT NULL CHECK (length(sealed) > 28),
  key_fingerprint text NOT NULL
);

-- The fingerprint of the key the secrets are under (one row). A process with another key refuses
-- to start; a rotation moves it in the transaction that re-encrypts every secret.
CREATE TABLE custody_encryption_key (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  fingerprint text NOT NULL,
  rotated_at timestamptz
);

-- Wallets: one per facility; `lookup` is custodian id and the custodian's reference, how a
-- webhook finds its wallet.
SELECT es_create_events_table('wallet_events');
CREATE TABLE wallets (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  custodian_id uuid NOT NULL REFERENCES custodians (id),
  facility_id uuid NOT NULL UNIQUE,
  lookup text NOT NULL UNIQUE,
  address text NOT NULL,
  -- self-custody: the receive index under the custodian's key, never given twice
  derivation_index bigint CHECK (derivation_index >= 0),
  UNIQUE (custodian_id, derivation_index)
);
CREATE INDEX wallets_custodian ON wallets (custodian_id, created_at, id);
