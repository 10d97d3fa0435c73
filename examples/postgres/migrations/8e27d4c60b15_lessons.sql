-- revision: 8e27d4c60b15
-- down_revision: 3c1f0a9b2d41
-- message: lessons
-- created: 2026-11-22T02:31:00Z

-- +upgrade
CREATE TABLE lessons (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id text REFERENCES jobs (id) ON DELETE SET NULL,
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX lessons_tags_idx ON lessons USING gin (tags);

-- +downgrade
DROP TABLE lessons;
