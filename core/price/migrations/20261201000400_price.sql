-- The BTC/USD price (core/price).

-- Providers: the exchange's ticker and the manual price, event-sourced (activations are staff
-- decisions with a history). Exactly one is active: the partial unique index refuses a second.
CREATE TABLE price_providers (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('exchange', 'manual')),
  active boolean NOT NULL
);
CREATE UNIQUE INDEX price_providers_one_active ON price_providers (active) WHERE active;
SELECT es_create_events_table('price_provider_events');

-- Every price a provider gave: accepted (a price, no reason) or refused (the reason, and the
-- price when there was one). Append-only. The bank's price is the active provider's latest
-- accepted quote.
CREATE TABLE price_quotes (
  id bigserial PRIMARY KEY,
  provider_id uuid NOT NULL REFERENCES price_providers (id),
  usd_cents_per_btc bigint CHECK (usd_cents_per_btc > 0 AND usd_cents_per_btc <= 1000000000000),
  refused_reason text,
  observed_at timestamptz NOT NULL,
  correlation_id text,
  CHECK (refused_reason IS NOT NULL OR usd_cents_per_btc IS NOT NULL)
);
CREATE INDEX price_quotes_accepted ON price_quotes (provider_id, id DESC) WHERE refused_reason IS NULL;
CREATE INDEX price_quotes_refused ON price_quotes (provider_id, id DESC) WHERE refused_reason IS NOT NULL;

CREATE FUNCTION price_quotes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'price_quotes is append-only';
END;
$$;
CREATE TRIGGER price_quotes_append_only BEFORE UPDATE OR DELETE ON price_quotes
  FOR EACH ROW EXECUTE FUNCTION price_quotes_append_only();
