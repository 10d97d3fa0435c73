-- revision: p5
-- down_revision: p4
-- message: last

-- +upgrade
CREATE TABLE final (id integer PRIMARY KEY);

-- +downgrade
DROP TABLE final;
