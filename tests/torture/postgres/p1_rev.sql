-- revision: p1
-- down_revision:
-- message: parents and children

-- +upgrade
CREATE TABLE parent (id integer PRIMARY KEY, v text NOT NULL);
CREATE TABLE child (id serial PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note text);
INSERT INTO parent (id, v) SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
INSERT INTO child (parent_id, note) SELECT id, v FROM parent;

-- +downgrade
DROP TABLE child;
DROP TABLE parent;
