-- revision: r4
-- down_revision: r3
-- message: heavy update

-- +upgrade
UPDATE big SET payload = lower(payload);
CREATE TABLE done4 (id INTEGER);

-- +downgrade
DROP TABLE done4;
UPDATE big SET payload = upper(payload);
