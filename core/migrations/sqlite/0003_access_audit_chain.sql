-- C13: checkpoints of the audit hash chain, users, custom roles, memberships.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

-- Retention may delete only a prefix already covered by a purge checkpoint.
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
    WHEN old.seq > COALESCE((SELECT MAX(seq) FROM audit_checkpoints WHERE kind = 'purge'), 0)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE access_users (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE access_roles (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE access_memberships (
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);
