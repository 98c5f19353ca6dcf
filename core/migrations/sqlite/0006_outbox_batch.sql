-- Outbox at console scale: the lease, attempt count, last change and message
-- id live in columns, so a claim and a batch of completions are each one
-- set-based statement (the JSON document keeps the payload, history and the
-- reason of a hold or park; the columns win where both hold a value).
ALTER TABLE outbox ADD COLUMN lease_worker TEXT;
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN message_id TEXT;

UPDATE outbox SET
    attempts = COALESCE(json_extract(doc, '$.attempts'), 0),
    updated_at = COALESCE(json_extract(doc, '$.updated_at'), 0),
    lease_worker = json_extract(doc, '$.state.worker'),
    message_id = json_extract(doc, '$.state.message_id')
WHERE doc LIKE '{%';

-- Lean indexes: one for the claim order over waiting items, one for expired
-- leases; sent and parked rows (the bulk of the table) are in neither.
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_waiting ON outbox (lane, not_before, created_at, id)
    WHERE state IN ('queued', 'retry_later', 'deferred');
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'leased';
