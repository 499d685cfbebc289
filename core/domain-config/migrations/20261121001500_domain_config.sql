-- Domain settings (core/domain-config): one event-sourced entity per key that was ever set; keys
-- never set read their declared default.
CREATE TABLE domain_configs (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  key text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9-]{0,99}$')
);
SELECT es_create_events_table('domain_config_events');
