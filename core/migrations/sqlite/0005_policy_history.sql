-- The sending policies' history, shared by every worker: one row per admitted
-- send (caps, same-content counts, promotion and notification spacing).
CREATE TABLE policy_sends (
    recipient TEXT NOT NULL,
    item_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (recipient, item_id)
);
CREATE INDEX policy_sends_at ON policy_sends (at);
-- One row per recipient, written first in each admission so concurrent
-- admissions for the same recipient queue behind each other.
CREATE TABLE policy_recipient_locks (
    recipient TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
