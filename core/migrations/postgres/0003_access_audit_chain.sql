-- C13: checkpoints of the audit hash chain, users, custom roles, memberships.
CREATE TABLE audit_checkpoints (
    id BIGSERIAL PRIMARY KEY,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    doc TEXT NOT NULL
);

-- Retention may delete only a prefix already covered by a purge checkpoint.
CREATE OR REPLACE FUNCTION wacrm_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints WHERE kind = 'purge') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION wacrm_audit_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log and checkpoints are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION wacrm_audit_refuse();
-- TRUNCATE skips row triggers; refuse it on both tables.
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wacrm_audit_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION wacrm_audit_refuse();

CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE access_users (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE access_roles (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE access_memberships (
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);
