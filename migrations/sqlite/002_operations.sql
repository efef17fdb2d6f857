-- Rate counters: one row per subject per one-second bucket; the sliding 60 s sum reads at most
-- 60 rows through the primary key. Shared by every receiver on the database.
CREATE TABLE IF NOT EXISTS rate_counters (
  scope TEXT NOT NULL,
  subject TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (scope, subject, window_start)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS rate_counters_window_start ON rate_counters (window_start);

-- One lease row: whoever updates it while it is expired (and the last run is old enough) runs
-- maintenance. An expiry means a crashed holder cannot block it forever.
CREATE TABLE IF NOT EXISTS maintenance_lease (
  name TEXT PRIMARY KEY,
  holder TEXT,
  expires_at INTEGER NOT NULL,
  last_started_at INTEGER
);

INSERT OR IGNORE INTO maintenance_lease (name, holder, expires_at, last_started_at) VALUES ('maintenance', NULL, 0, NULL);

CREATE TABLE IF NOT EXISTS maintenance_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  holder TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  logs_purged INTEGER NOT NULL,
  batches_purged INTEGER NOT NULL,
  counters_purged INTEGER NOT NULL,
  alert_state_purged INTEGER NOT NULL,
  error TEXT
);

ALTER TABLE projects ADD COLUMN client_config TEXT;
