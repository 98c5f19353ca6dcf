-- Retention expires statuses whose message never arrived: their time lives in
-- a column (documents of pending statuses are never compressed) so the expiry
-- is one indexed DELETE.
ALTER TABLE pending_statuses ADD COLUMN at BIGINT NOT NULL DEFAULT 0;
UPDATE pending_statuses SET at = COALESCE(json_extract(doc, '$.at'), 0);
CREATE INDEX pending_statuses_at ON pending_statuses (at);
