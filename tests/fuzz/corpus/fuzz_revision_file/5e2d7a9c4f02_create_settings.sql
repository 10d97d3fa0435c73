-- revision: 5e2d7a9c4f02
-- down_revision: 3b8f0c2a1d01
-- message: create settings
-- created: 2026-11-21T22:05:00Z
-- branch_labels:
-- depends_on:
-- transactional: true

-- +upgrade
CREATE TABLE settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +downgrade
DROP TABLE settings;
