-- 0004: every resume code a resident is given keeps working until the
-- answers are sent or the consultation closes, so a response may have
-- several. Rebuilds the table without the one-code-per-response rule.
CREATE TABLE resume_codes_new (
    code_hash   BLOB PRIMARY KEY,
    response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    stage       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
INSERT INTO resume_codes_new (code_hash, response_id, stage, created_at)
    SELECT code_hash, response_id, stage, created_at FROM resume_codes;
DROP TABLE resume_codes;
ALTER TABLE resume_codes_new RENAME TO resume_codes;
CREATE INDEX resume_codes_response ON resume_codes (response_id);
