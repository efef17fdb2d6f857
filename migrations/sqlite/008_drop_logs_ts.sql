-- logs loses its (ts, id) index: only a search across every project walked it, and that is now a
-- search in each project merged in order (log-search.ts). A fourth index entry for every stored
-- and every purged event cost more than it saved (see migrations/mysql/008).
DROP INDEX IF EXISTS logs_ts;
