-- 0010: the admin area: users and their grants, one-time tokens, server-side
-- sessions and the audit log. Times are Unix nanoseconds (UTC). Tokens and
-- session ids are kept only as SHA-256 hashes.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    totp_secret    BLOB,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER NOT NULL DEFAULT 0
);

-- consultation_id 0 means every consultation.
CREATE TABLE user_grants (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    consultation_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, role, consultation_id)
);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE admin_sessions (
    id           INTEGER PRIMARY KEY,
    id_hash      BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    code_pending INTEGER NOT NULL DEFAULT 0,
    address      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

-- The audit log is only ever appended to: the triggers refuse changes.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    user_id  INTEGER NOT NULL DEFAULT 0,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    before   TEXT NOT NULL DEFAULT '',
    after    TEXT NOT NULL DEFAULT '',
    address  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;

-- Comments an officer has hidden from the comments page and exports.
CREATE TABLE hidden_comments (
    response_id TEXT PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL DEFAULT 0,
    hidden_at   INTEGER NOT NULL
);
