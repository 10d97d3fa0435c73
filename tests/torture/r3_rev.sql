-- revision: r3
-- down_revision: r2
-- message: rebuild the parent table with foreign keys off
-- foreign_keys: off

-- +upgrade
CREATE TABLE parent_new (id INTEGER PRIMARY KEY, v TEXT NOT NULL, w TEXT NOT NULL DEFAULT 'w');
INSERT INTO parent_new (id, v) SELECT id, v FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;

-- +downgrade
CREATE TABLE parent_old (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO parent_old (id, v) SELECT id, v FROM parent;
DROP TABLE parent;
ALTER TABLE parent_old RENAME TO parent;
