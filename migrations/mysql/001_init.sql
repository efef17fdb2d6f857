-- Times are epoch milliseconds in BIGINT columns on both databases: no time-zone surprises,
-- and `ts` keeps its milliseconds. utf8mb4_bin stores every byte sent (emoji, NUL) exactly;
-- case-insensitive search lower-cases explicitly instead of leaning on a collation.
CREATE TABLE IF NOT EXISTS projects (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(200) NOT NULL,
  public_key VARCHAR(64) NOT NULL,
  secret VARCHAR(128) NOT NULL,
  previous_secret VARCHAR(128) NULL,
  previous_secret_expires_at BIGINT NULL,
  retention_hours SMALLINT UNSIGNED NOT NULL,
  rate_limit_events_per_minute INT UNSIGNED NULL,
  rate_limit_ip_requests_per_minute INT UNSIGNED NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY projects_public_key (public_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS logs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id INT UNSIGNED NOT NULL,
  ts BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  level TINYINT UNSIGNED NOT NULL,
  message MEDIUMTEXT NOT NULL,
  source VARCHAR(255) NULL,
  fingerprint VARCHAR(64) NOT NULL,
  stack MEDIUMTEXT NULL,
  context MEDIUMTEXT NULL,
  PRIMARY KEY (id),
  KEY logs_project_ts (project_id, ts, id),
  KEY logs_project_level_ts (project_id, level, ts),
  KEY logs_project_fingerprint_ts (project_id, fingerprint, ts),
  KEY logs_ts (ts, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A batch id and its events commit in one transaction; the primary key makes a retry a no-op.
CREATE TABLE IF NOT EXISTS batches (
  project_id INT UNSIGNED NOT NULL,
  batch_id VARCHAR(64) NOT NULL,
  accepted INT UNSIGNED NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, batch_id),
  KEY batches_received_at (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
