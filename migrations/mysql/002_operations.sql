-- Rate counters: one row per subject per one-second bucket; the sliding 60 s sum reads at most
-- 60 rows through the primary key. Shared by every receiver on the database.
CREATE TABLE IF NOT EXISTS rate_counters (
  scope VARCHAR(16) NOT NULL,
  subject VARCHAR(64) NOT NULL,
  window_start BIGINT NOT NULL,
  count INT UNSIGNED NOT NULL,
  PRIMARY KEY (scope, subject, window_start),
  KEY rate_counters_window_start (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One lease row: whoever updates it while it is expired (and the last run is old enough) runs
-- maintenance. An expiry means a crashed holder cannot block it forever.
CREATE TABLE IF NOT EXISTS maintenance_lease (
  name VARCHAR(32) NOT NULL,
  holder VARCHAR(128) NULL,
  expires_at BIGINT NOT NULL,
  last_started_at BIGINT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO maintenance_lease (name, holder, expires_at, last_started_at) VALUES ('maintenance', NULL, 0, NULL);

CREATE TABLE IF NOT EXISTS maintenance_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  holder VARCHAR(128) NOT NULL,
  trigger_name VARCHAR(32) NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms INT UNSIGNED NOT NULL,
  ok TINYINT NOT NULL,
  logs_purged BIGINT UNSIGNED NOT NULL,
  batches_purged BIGINT UNSIGNED NOT NULL,
  counters_purged BIGINT UNSIGNED NOT NULL,
  alert_state_purged BIGINT UNSIGNED NOT NULL,
  error TEXT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE projects ADD COLUMN client_config TEXT NULL;
