-- revision: r5
-- down_revision: r4
-- message: last

-- +upgrade
CREATE TABLE final (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE final;
