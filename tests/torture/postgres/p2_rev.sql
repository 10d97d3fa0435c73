-- revision: p2
-- down_revision: p1
-- message: a heavy table

-- +upgrade
CREATE TABLE big AS SELECT g AS id, upper(md5(g::text) || md5((g + 1)::text)) AS payload FROM generate_series(1, 200000) g;
CREATE INDEX big_payload ON big (payload);

-- +downgrade
DROP TABLE big;
