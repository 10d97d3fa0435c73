-- revision: p3
-- down_revision: p2
-- message: a new column on the parent, filled in

-- +upgrade
ALTER TABLE parent ADD COLUMN w text NOT NULL DEFAULT 'w';
UPDATE parent SET w = v || 'w';

-- +downgrade
ALTER TABLE parent DROP COLUMN w;
