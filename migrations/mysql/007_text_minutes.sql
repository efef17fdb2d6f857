-- A trigram bitmap per (project, minute) under the 10-minute ones of log_text_buckets: a text
-- search reads only the minutes of a matching bucket that can match, a tenth of the rows (and of
-- the data pages, which is what a scan of a bucket waits on once `logs` outgrows the buffer pool).
CREATE TABLE IF NOT EXISTS log_text_minutes (
  project_id INT UNSIGNED NOT NULL,
  minute BIGINT NOT NULL,
  bits BLOB NOT NULL,
  PRIMARY KEY (project_id, minute)
) ENGINE=InnoDB;

-- How many of a minute's events went into its bitmap, counted in the same upsert as `n`. A minute
-- whose `indexed` falls short of `n` holds events no bitmap knows of (stored before this
-- migration, or by a receiver of an older version still running): text search reads it whole.
ALTER TABLE log_minutes ADD COLUMN IF NOT EXISTS indexed INT UNSIGNED NOT NULL DEFAULT 0;
