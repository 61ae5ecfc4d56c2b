-- 0002: save and come back later. A resume code is kept only as a hash;
-- one code per response, replaced when the resident saves again.
CREATE TABLE resume_codes (
    code_hash   BLOB PRIMARY KEY,
    response_id TEXT NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);
