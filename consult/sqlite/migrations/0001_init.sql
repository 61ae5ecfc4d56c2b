-- 0001: consultations, their grid versions, responses and settings.
-- Times are UTC RFC 3339 text with nine fraction digits, so text order is
-- time order. JSON columns hold encoding/json output.

CREATE TABLE consultations (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    -- the consultation without its grid, as JSON
    definition   TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- the current grid version; NULL only inside the creating transaction
    grid_version INTEGER REFERENCES grids (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- A grid version: a consultation's grid as it was at one time. Responses
-- name the version they answered.
CREATE TABLE grids (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    grid            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (consultation_id, id)
);

CREATE TABLE responses (
    id              TEXT PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    grid_version    INTEGER NOT NULL REFERENCES grids (id),
    channel         TEXT NOT NULL,
    reached         INTEGER NOT NULL,
    answers         TEXT NOT NULL,
    reference       TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    completed_at    TEXT,
    -- a response answers a grid version of its own consultation
    FOREIGN KEY (consultation_id, grid_version) REFERENCES grids (consultation_id, id)
);

CREATE INDEX responses_completed ON responses (consultation_id, completed_at, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
