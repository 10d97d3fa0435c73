-- revision: 9a0d3f6e5b04
-- down_revision: 5e2d7a9c4f02, 7c41e8b2d903
-- message: merge settings and reports
-- created: 2026-11-21T22:10:00Z
-- branch_labels:
-- depends_on:
-- transactional: true

-- +upgrade

-- +downgrade
