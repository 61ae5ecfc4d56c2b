-- 0020: interviewers' enrolled devices, and tombstones of erased responses.

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    label         TEXT NOT NULL,
    -- sha256 of the device token; the token itself is never stored
    token_hash    BLOB NOT NULL UNIQUE,
    -- the ids of the consultations assigned to the device, as a JSON array
    consultations TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

-- A response erased at a resident's request: only its id and when, so
-- that a tablet sending it again is told it was erased.
CREATE TABLE erased_responses (
    id              TEXT PRIMARY KEY,
    consultation_id INTEGER NOT NULL,
    erased_at       TEXT NOT NULL
);
