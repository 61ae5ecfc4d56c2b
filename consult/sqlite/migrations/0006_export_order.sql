-- 0006: an index in the export order (completion time to the second, as
-- the wide CSV carries it, then id), so that an export streams from the
-- index without sorting every completed response before its first row.
CREATE INDEX responses_export ON responses (consultation_id, substr(completed_at, 1, 19), id)
    WHERE completed_at IS NOT NULL;
