-- Durable jobs. A row is one job; `status` moves pending -> running -> completed | failed, and back
-- to pending for a retry, a reschedule (recurring jobs) or when its runner stopped heartbeating.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  job_type text NOT NULL,
  -- Jobs sharing a queue id never run at the same time (e.g. one entity's jobs).
  queue_id text,
  -- Spawning twice with the same key makes one job (recurring jobs, idempotent spawns).
  unique_key text UNIQUE,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  scheduled_at timestamptz NOT NULL,
  locked_by text,
  heartbeat_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  CHECK ((status = 'running') = (locked_by IS NOT NULL AND heartbeat_at IS NOT NULL))
);

CREATE INDEX jobs_due ON jobs (scheduled_at) WHERE status = 'pending';
CREATE INDEX jobs_running ON jobs (locked_by) WHERE status = 'running';
CREATE UNIQUE INDEX jobs_one_running_per_queue ON jobs (queue_id)
  WHERE status = 'running' AND queue_id IS NOT NULL;

-- Wake runners when jobs are spawned (delivered when the spawning transaction commits).
CREATE FUNCTION jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lana_jobs', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();
