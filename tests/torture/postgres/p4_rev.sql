-- revision: p4
-- down_revision: p3
-- message: heavy update

-- +upgrade
UPDATE big SET payload = lower(payload);
CREATE TABLE done4 (id integer);

-- +downgrade
DROP TABLE done4;
UPDATE big SET payload = upper(payload);
