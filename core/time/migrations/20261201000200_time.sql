-- Business time: which business days have ended and been announced, and the manual clock.

-- One row. `last_ended_date`: every business day up to and including it has ended and its
-- end-of-day event is on the outbox (on first start: the day before the current one, so a new
-- bank does not announce the past). `manual_now`: the manual clock's reading, kept so a restart
-- continues where the simulation stood (NULL on the real clock).
CREATE TABLE time_calendar (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_ended_date date NOT NULL,
  manual_now timestamptz,
  updated_at timestamptz NOT NULL
);

-- Each ended business day, once (the primary key refuses a second announcement).
CREATE TABLE time_ended_days (
  date date PRIMARY KEY,
  ended_at timestamptz NOT NULL,
  published_at timestamptz NOT NULL
);

-- The last business day each end-of-day handler has processed (written in the transaction of
-- its work, so a day is never processed twice).
CREATE TABLE time_end_of_day_handlers (
  name text PRIMARY KEY,
  last_date date NOT NULL,
  updated_at timestamptz NOT NULL
);
