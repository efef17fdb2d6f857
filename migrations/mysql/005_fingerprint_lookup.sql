-- The fingerprint questions (alerting's "seen before?", the /api/logs fingerprint filter) are
-- answered from the hourly fingerprint rollup, so `logs` no longer needs its own fingerprint
-- index: each batch touched ~40 scattered leaf pages of it on every insert. first_received is
-- the earliest received_at of the row's events (0 for rows written before this migration:
-- received long ago).
ALTER TABLE log_fingerprint_hours
  ADD COLUMN first_received BIGINT NOT NULL DEFAULT 0,
  ADD KEY log_fingerprint_hours_fingerprint (fingerprint, project_id, hour);

ALTER TABLE logs DROP KEY logs_project_fingerprint_ts;
