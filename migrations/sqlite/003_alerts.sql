-- Alerts (docs/alerts.md). Every decision to send is claimed here with one conditional
-- statement, so several receivers sharing this database send one alert for one spike.
CREATE TABLE IF NOT EXISTS alert_settings (
  project_id INTEGER PRIMARY KEY,
  discord_webhook_url TEXT,
  spike_threshold INTEGER NOT NULL,
  spike_window_seconds INTEGER NOT NULL,
  suppression_minutes INTEGER NOT NULL,
  error_rate_threshold INTEGER,
  new_fingerprint INTEGER NOT NULL DEFAULT 0,
  webhook_status TEXT NOT NULL DEFAULT 'unknown',
  webhook_checked_at INTEGER,
  webhook_error TEXT,
  updated_at INTEGER NOT NULL
);

-- One row per alert subject (a spiking fingerprint, the project's error rate, new fingerprints):
-- suppression window, suppressed count and whether a follow-up is owed.
CREATE TABLE IF NOT EXISTS alert_state (
  project_id INTEGER NOT NULL,
  alert_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  fingerprint TEXT,
  active INTEGER NOT NULL DEFAULT 0,
  alerted_at INTEGER NOT NULL,
  suppressed_until INTEGER NOT NULL,
  suppressed_count INTEGER NOT NULL DEFAULT 0,
  reported_count INTEGER NOT NULL DEFAULT 0,
  followup_pending INTEGER NOT NULL DEFAULT 0,
  last_event_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, alert_key)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS alert_state_due ON alert_state (followup_pending, suppressed_until);
CREATE INDEX IF NOT EXISTS alert_state_updated ON alert_state (updated_at);

-- Error fingerprints already announced by the opt-in "new fingerprint" rule.
CREATE TABLE IF NOT EXISTS alert_fingerprints (
  project_id INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, fingerprint)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS alert_fingerprints_seen ON alert_fingerprints (first_seen_at);

CREATE TABLE IF NOT EXISTS alert_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  alert_key TEXT,
  fingerprint TEXT,
  title TEXT NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  attempts INTEGER NOT NULL,
  response TEXT,
  created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS alert_history_project ON alert_history (project_id, id);
CREATE INDEX IF NOT EXISTS alert_history_created ON alert_history (created_at);
