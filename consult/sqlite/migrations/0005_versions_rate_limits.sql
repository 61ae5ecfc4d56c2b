-- 0005: optimistic versions on responses, so that a stale window cannot
-- overwrite newer answers; rate limits shared by every server on one
-- database; an index to find abandoned responses.
ALTER TABLE responses ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- In-progress responses by last update, for PurgeAbandoned.
CREATE INDEX responses_abandoned ON responses (updated_at) WHERE completed_at IS NULL;

-- One row per key and fixed window: how many events it has counted.
-- Times are Unix nanoseconds (UTC).
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_ns    INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (key, window_ns, window_start)
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);
