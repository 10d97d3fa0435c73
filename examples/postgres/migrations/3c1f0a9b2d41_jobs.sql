-- revision: 3c1f0a9b2d41
-- down_revision:
-- message: jobs
-- created: 2026-11-22T02:30:00Z

-- +upgrade
CREATE TABLE jobs (
  id text PRIMARY KEY,
  request jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'done', 'failed')),
  phase text,
  progress double precision NOT NULL DEFAULT 0
    CONSTRAINT jobs_progress_check CHECK (progress >= 0 AND progress <= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_status_idx ON jobs (status) WHERE status IN ('queued', 'running');

-- Keeps updated_at current; the body's semicolons stay inside its dollar quotes.
CREATE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER jobs_touch BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_touch();

-- +downgrade
DROP TRIGGER jobs_touch ON jobs;
DROP FUNCTION jobs_touch();
DROP TABLE jobs;
