-- The correlation id of the request whose transaction published the event, so that what a
-- handler does in reaction is audited under the same id.
ALTER TABLE outbox_events ADD COLUMN correlation_id text;
