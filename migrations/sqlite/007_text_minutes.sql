-- A trigram bitmap per (project, minute) under the 10-minute ones of log_text_buckets: a text
-- search reads only the minutes of a matching bucket that can match, a tenth of the rows. A rowid
-- table, like log_text_buckets: 8 KiB rows do not belong in a WITHOUT ROWID b-tree.
CREATE TABLE IF NOT EXISTS log_text_minutes (
  project_id INTEGER NOT NULL,
  minute INTEGER NOT NULL,
  bits BLOB NOT NULL,
  PRIMARY KEY (project_id, minute)
);

-- How many of a minute's events went into its bitmap, counted in the same upsert as `n`. A minute
-- whose `indexed` falls short of `n` holds events no bitmap knows of (stored before this
-- migration): text search reads it whole.
ALTER TABLE log_minutes ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
