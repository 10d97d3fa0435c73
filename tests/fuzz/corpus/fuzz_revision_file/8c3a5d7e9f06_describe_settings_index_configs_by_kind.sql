-- revision: 8c3a5d7e9f06
-- down_revision: 4f6b2c8e1a05
-- message: describe settings, index configs by kind
-- created: 2026-11-22T00:23:20Z
-- branch_labels:
-- depends_on:
-- transactional: true
-- foreign_keys: off

-- +upgrade
-- + column settings.description
ALTER TABLE settings ADD COLUMN description TEXT;
-- + index ix_configs_kind on configs
CREATE INDEX ix_configs_kind ON configs (kind);

-- +downgrade
-- - index ix_configs_kind on configs
DROP INDEX ix_configs_kind;
-- - column settings.description (destructive)
-- WARNING: destructive: this step can lose data
ALTER TABLE settings DROP COLUMN description;
