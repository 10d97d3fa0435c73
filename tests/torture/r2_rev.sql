-- revision: r2
-- down_revision: r1
-- message: a heavy table

-- +upgrade
CREATE TABLE big AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000) SELECT x AS id, hex(randomblob(16)) AS payload FROM n;
CREATE INDEX big_payload ON big (payload);

-- +downgrade
DROP TABLE big;
