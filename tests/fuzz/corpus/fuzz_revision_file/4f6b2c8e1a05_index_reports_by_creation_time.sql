-- revision: 4f6b2c8e1a05
-- down_revision: 9a0d3f6e5b04
-- message: index reports by creation time
-- created: 2026-11-21T22:12:00Z
-- branch_labels:
-- depends_on:
-- transactional: true

-- +upgrade
CREATE INDEX ix_reports_created_at ON reports (created_at);
INSERT INTO settings (key, value) VALUES ('schema.owner', 'dbtool');

-- +downgrade
DELETE FROM settings WHERE key = 'schema.owner';
DROP INDEX ix_reports_created_at;
