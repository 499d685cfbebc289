-- Public events, written in the transaction of the use case that caused them.
--
-- `sequence` is the delivery order. It is assigned by a deferred constraint trigger, i.e. while the
-- publishing transaction commits, after every lock it took: so it follows commit order, and a
-- transaction that waited for another one always gets the later number. A row is only ever visible
-- with its sequence set.
CREATE TABLE outbox_events (
  id bigserial PRIMARY KEY,
  sequence bigint UNIQUE,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  recorded_at timestamptz NOT NULL
);

CREATE SEQUENCE outbox_commit_sequence;

CREATE FUNCTION outbox_assign_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE outbox_events SET sequence = nextval('outbox_commit_sequence') WHERE id = NEW.id;
  PERFORM pg_notify('lana_outbox', '');
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER outbox_assign_sequence AFTER INSERT ON outbox_events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_assign_sequence();

-- Where each handler is: every event with a sequence <= position has been handled.
CREATE TABLE outbox_handlers (
  name text PRIMARY KEY,
  position bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
  failures integer NOT NULL DEFAULT 0,
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
