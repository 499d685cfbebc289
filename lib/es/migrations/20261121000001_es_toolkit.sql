-- Shared building blocks for every event-sourced entity.
--
-- Each entity type gets an events table created by es_create_events_table(name): one row per event,
-- (id, sequence) unique, sequences gap-free from 1, and no UPDATE, DELETE or TRUNCATE ever.

CREATE FUNCTION es_refuse_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'raise_exception';
END;
$$;

-- A new event continues its entity's stream: sequence 1, or the successor of an existing one.
CREATE FUNCTION es_check_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  found boolean;
BEGIN
  IF NEW.sequence = 1 THEN
    RETURN NEW;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE id = $1 AND sequence = $2)',
                 TG_TABLE_SCHEMA, TG_TABLE_NAME)
    INTO found USING NEW.id, NEW.sequence - 1;
  IF NOT found THEN
    RAISE EXCEPTION 'event % of % in % leaves a gap in the sequence', NEW.sequence, NEW.id, TG_TABLE_NAME
      USING ERRCODE = 'raise_exception';
  END IF;
  RETURN NEW;
END;
$$;

-- Makes a table refuse UPDATE, DELETE and TRUNCATE.
CREATE FUNCTION es_make_append_only(tbl text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION es_refuse_mutation()',
                 tbl || '_refuse_rows', tbl);
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION es_refuse_mutation()',
                 tbl || '_refuse_truncate', tbl);
END;
$$;

-- Creates the events table of an entity type, e.g. SELECT es_create_events_table('customer_events').
CREATE FUNCTION es_create_events_table(tbl text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($f$
    CREATE TABLE %I (
      id uuid NOT NULL,
      sequence integer NOT NULL CHECK (sequence > 0),
      event_type text NOT NULL,
      event jsonb NOT NULL CHECK (jsonb_typeof(event) = 'object'),
      context jsonb NOT NULL DEFAULT '{}'::jsonb,
      recorded_at timestamptz NOT NULL,
      CONSTRAINT %I UNIQUE (id, sequence)
    )$f$, tbl, tbl || '_id_sequence_key');
  EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION es_check_sequence()',
                 tbl || '_check_sequence', tbl);
  PERFORM es_make_append_only(tbl);
END;
$$;
