-- revision: 3b8f0c2a1d01
-- down_revision:
-- message: create configs
-- created: 2026-11-21T22:00:00Z
-- branch_labels:
-- depends_on:
-- transactional: true

-- +upgrade
CREATE TABLE configs (
  name TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +downgrade
DROP TABLE configs;
