-- Times are epoch milliseconds in INTEGER columns on both databases: no time-zone surprises,
-- and `ts` keeps its milliseconds.
CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  public_key TEXT NOT NULL UNIQUE,
  secret TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_expires_at INTEGER,
  retention_hours INTEGER NOT NULL,
  rate_limit_events_per_minute INTEGER,
  rate_limit_ip_requests_per_minute INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  level INTEGER NOT NULL,
  message TEXT NOT NULL,
  source TEXT,
  fingerprint TEXT NOT NULL,
  stack TEXT,
  context TEXT
);

CREATE INDEX IF NOT EXISTS logs_project_ts ON logs (project_id, ts, id);
CREATE INDEX IF NOT EXISTS logs_project_level_ts ON logs (project_id, level, ts);
CREATE INDEX IF NOT EXISTS logs_project_fingerprint_ts ON logs (project_id, fingerprint, ts);
CREATE INDEX IF NOT EXISTS logs_ts ON logs (ts, id);

-- A batch id and its events commit in one transaction; the primary key makes a retry a no-op.
CREATE TABLE IF NOT EXISTS batches (
  project_id INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  accepted INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, batch_id)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS batches_received_at ON batches (received_at);
