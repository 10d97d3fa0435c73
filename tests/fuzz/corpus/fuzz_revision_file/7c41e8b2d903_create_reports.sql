-- revision: 7c41e8b2d903
-- down_revision: 3b8f0c2a1d01
-- message: create reports
-- created: 2026-11-21T22:06:00Z
-- branch_labels: reports
-- depends_on:
-- transactional: true

-- +upgrade
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  summary TEXT NOT NULL,
  report TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +downgrade
DROP TABLE reports;
