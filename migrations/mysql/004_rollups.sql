-- Rollups written in the same transaction as each batch (server/src/storage/rollup-store.ts), so
-- the dashboard overview reads a few thousand small rows instead of scanning `logs`.
-- Events per (project, minute, level): the per-minute chart.
CREATE TABLE IF NOT EXISTS log_minutes (
  project_id INT UNSIGNED NOT NULL,
  minute BIGINT NOT NULL,
  level TINYINT UNSIGNED NOT NULL,
  n INT UNSIGNED NOT NULL,
  PRIMARY KEY (project_id, minute, level)
) ENGINE=InnoDB;

-- Events per (project, hour, fingerprint) with first and last seen: top fingerprints.
CREATE TABLE IF NOT EXISTS log_fingerprint_hours (
  project_id INT UNSIGNED NOT NULL,
  hour BIGINT NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  n INT UNSIGNED NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (project_id, hour, fingerprint)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A trigram bitmap of the messages of each (project, 10-minute bucket): text search skips the
-- buckets that cannot match (server/src/storage/text-bits.ts). An empty bitmap means "not
-- indexed, may hold anything".
CREATE TABLE IF NOT EXISTS log_text_buckets (
  project_id INT UNSIGNED NOT NULL,
  bucket BIGINT NOT NULL,
  bits BLOB NOT NULL,
  PRIMARY KEY (project_id, bucket)
) ENGINE=InnoDB;

-- Backfill from the events already stored. Their text is not indexed here (that needs the
-- trigram code): their buckets are marked "may hold anything" and are read as before.
INSERT IGNORE INTO log_minutes (project_id, minute, level, n)
  SELECT project_id, (ts DIV 60000) * 60000, level, COUNT(*) FROM logs GROUP BY 1, 2, 3;

INSERT IGNORE INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen)
  SELECT project_id, (ts DIV 3600000) * 3600000, fingerprint, COUNT(*), MIN(ts), MAX(ts) FROM logs GROUP BY 1, 2, 3;

INSERT IGNORE INTO log_text_buckets (project_id, bucket, bits)
  SELECT DISTINCT project_id, (ts DIV 600000) * 600000, X'' FROM logs;
