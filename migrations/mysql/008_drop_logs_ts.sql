-- logs loses its (ts, id) index: only a search across every project walked it, and that is now a
-- search in each project merged in order (log-search.ts). A fourth index entry for every stored
-- and every purged event cost more than it saved: purging 500 000 rows went from 34-38 k to
-- 42 k rows/s without it (MariaDB, 2-core VM, scratch).
ALTER TABLE logs DROP KEY logs_ts;
