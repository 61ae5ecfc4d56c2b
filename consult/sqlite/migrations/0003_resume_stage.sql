-- 0003: a resume code remembers the stage the resident saved on, so that
-- resuming opens that page again.
ALTER TABLE resume_codes ADD COLUMN stage TEXT NOT NULL DEFAULT '';
