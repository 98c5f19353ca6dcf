-- wacrm store, version 1 (PostgreSQL). Records are JSON documents; the columns
-- beside them are the keys the store looks up, orders and locks by.
CREATE TABLE wacrm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO wacrm_meta (key, value) VALUES ('schema', 'wacrm');

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    e164 TEXT,
    wa_id TEXT,
    bsuid TEXT,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX contacts_e164 ON contacts (e164);
CREATE INDEX contacts_wa_id ON contacts (wa_id);
CREATE INDEX contacts_bsuid ON contacts (bsuid);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    phone_number_id TEXT NOT NULL,
    agent_id TEXT,
    status TEXT NOT NULL,
    closed_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX conversations_contact ON conversations (contact_id);
CREATE INDEX conversations_agent ON conversations (agent_id, status);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    contact_id TEXT,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
CREATE INDEX messages_contact ON messages (contact_id, created_at);

CREATE TABLE pending_statuses (
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (message_id, status)
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    lane INTEGER NOT NULL,
    not_before BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    lease_until BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, lane, not_before);

CREATE TABLE agents (id TEXT PRIMARY KEY, doc TEXT NOT NULL);

CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE sync_cursors (
    connector TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (connector, key)
);
CREATE TABLE parked_pushes (id TEXT PRIMARY KEY, connector TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE discrepancies (id TEXT PRIMARY KEY, connector TEXT NOT NULL, doc TEXT NOT NULL);

-- The audit log is append-only at the database level too.
CREATE FUNCTION wacrm_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION wacrm_audit_append_only();
