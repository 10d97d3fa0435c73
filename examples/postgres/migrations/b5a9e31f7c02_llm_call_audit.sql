-- revision: b5a9e31f7c02
-- down_revision: 8e27d4c60b15
-- message: llm_call_audit
-- created: 2026-11-22T02:32:00Z

-- +upgrade
CREATE TABLE llm_call_audit (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id text REFERENCES jobs (id) ON DELETE CASCADE,
  model text NOT NULL,
  prompt_tokens integer NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens integer NOT NULL CHECK (completion_tokens >= 0),
  cost numeric(12, 6),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  CHECK (finished_at IS NULL OR finished_at >= started_at)
);

-- +downgrade
DROP TABLE llm_call_audit;
