-- Alerts (docs/alerts.md). Every decision to send is claimed here with one conditional
-- statement, so several receivers sharing this database send one alert for one spike.
CREATE TABLE IF NOT EXISTS alert_settings (
  project_id INT UNSIGNED NOT NULL,
  discord_webhook_url VARCHAR(2048) NULL,
  spike_threshold INT UNSIGNED NOT NULL,
  spike_window_seconds INT UNSIGNED NOT NULL,
  suppression_minutes INT UNSIGNED NOT NULL,
  error_rate_threshold INT UNSIGNED NULL,
  new_fingerprint TINYINT NOT NULL DEFAULT 0,
  webhook_status VARCHAR(16) NOT NULL DEFAULT 'unknown',
  webhook_checked_at BIGINT NULL,
  webhook_error VARCHAR(1024) NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per alert subject (a spiking fingerprint, the project's error rate, new fingerprints):
-- suppression window, suppressed count and whether a follow-up is owed.
CREATE TABLE IF NOT EXISTS alert_state (
  project_id INT UNSIGNED NOT NULL,
  alert_key VARCHAR(100) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  fingerprint VARCHAR(64) NULL,
  active TINYINT NOT NULL DEFAULT 0,
  alerted_at BIGINT NOT NULL,
  suppressed_until BIGINT NOT NULL,
  suppressed_count BIGINT NOT NULL DEFAULT 0,
  reported_count BIGINT NOT NULL DEFAULT 0,
  followup_pending TINYINT NOT NULL DEFAULT 0,
  last_event_at BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, alert_key),
  KEY alert_state_due (followup_pending, suppressed_until),
  KEY alert_state_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Error fingerprints already announced by the opt-in "new fingerprint" rule.
CREATE TABLE IF NOT EXISTS alert_fingerprints (
  project_id INT UNSIGNED NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  first_seen_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, fingerprint),
  KEY alert_fingerprints_seen (first_seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alert_history (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id INT UNSIGNED NOT NULL,
  kind VARCHAR(32) NOT NULL,
  alert_key VARCHAR(100) NULL,
  fingerprint VARCHAR(64) NULL,
  title VARCHAR(512) NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  http_status SMALLINT NULL,
  attempts SMALLINT UNSIGNED NOT NULL,
  response VARCHAR(2048) NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY alert_history_project (project_id, id),
  KEY alert_history_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
