-- revision: r1
-- down_revision:
-- message: parents and children

-- +upgrade
CREATE TABLE parent (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note TEXT);
INSERT INTO parent (id, v) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT x, hex(randomblob(8)) FROM n;
INSERT INTO child (parent_id, note) SELECT id, v FROM parent;

-- +downgrade
DROP TABLE child;
DROP TABLE parent;
