-- revision: e03d7a2c9f48
-- down_revision: b5a9e31f7c02
-- message: index the audit by job, without locking writers out
-- created: 2026-11-22T02:33:00Z
-- transactional: false

-- +upgrade
CREATE INDEX CONCURRENTLY IF NOT EXISTS llm_call_audit_job_idx
  ON llm_call_audit (job_id, started_at DESC);

-- +downgrade
DROP INDEX CONCURRENTLY IF EXISTS llm_call_audit_job_idx;
