//! The SQL audit log (hash chain sealed inside the append transaction,
//! checkpoints, prefix purge) and the access records (users, custom roles,
//! memberships). SQLite serialises appends through its single writer
//! connection; PostgreSQL takes a self-conflicting table lock so concurrent
//! appends from several processes still form one chain.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::*;
use crate::access::chain::{GENESIS, seal};
use crate::access::{Membership, Role, User};
use crate::store::logic::check_purge;

/// Decode an audit row. The position comes from the document when it has one,
/// so an entry moved to another row shows up as out of order; entries written
/// before the chain existed carry no position and take the row's.
fn audit_row(r: &AnyRow) -> StoreResult<AuditEntry> {
    let seq: i64 = r.try_get(0).map_err(backend_err)?;
    let mut e: AuditEntry = dec(r, &format!("audit_log/{seq}"))?;
    if e.seq == 0 {
        e.seq = seq as u64;
    }
    Ok(e)
}

impl SqlStore {
    async fn lock_audit(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **tx)
                .await
                .map_err(backend_err)?;
        }
        Ok(())
    }
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn append(&self, e: &AuditEntry) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        self.lock_audit(&mut tx).await?;
        let last = sqlx::query("SELECT seq, doc FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_err)?;
        let (seq, prev) = match last {
            Some(r) => {
                let row_seq: i64 = r.try_get(0).map_err(backend_err)?;
                let last = audit_row(&r)?;
                (row_seq as u64 + 1, last.hash)
            }
            None => {
                let cp = sqlx::query(
                    "SELECT seq, doc FROM audit_checkpoints WHERE kind = 'purge' ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
                match cp {
                    Some(r) => {
                        let c: AuditCheckpoint = dec(&r, "audit_checkpoints")?;
                        (c.seq + 1, c.hash)
                    }
                    None => (1, String::new()),
                }
            }
        };
        let prev = if prev.is_empty() {
            GENESIS.to_string()
        } else {
            prev
        };
        let mut e = e.clone();
        seal(&mut e, seq, &prev);
        sqlx::query("INSERT INTO audit_log (seq, at, doc) VALUES ($1, $2, $3)")
            .bind(seq as i64)
            .bind(e.at)
            .bind(enc(&e)?)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(seq)
    }

    async fn list(&self, after_seq: u64, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        let rows =
            sqlx::query("SELECT seq, doc FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after_seq as i64)
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
        rows.iter().map(audit_row).collect()
    }

    async fn last(&self) -> StoreResult<Option<AuditEntry>> {
        let row = sqlx::query("SELECT seq, doc FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.as_ref().map(audit_row).transpose()
    }

    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>> {
        let rows = sqlx::query("SELECT id, doc FROM audit_checkpoints ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        rows.iter().map(|r| dec(r, "audit_checkpoints")).collect()
    }

    async fn add_checkpoint(&self, c: &AuditCheckpoint) -> StoreResult<()> {
        sqlx::query("INSERT INTO audit_checkpoints (seq, kind, doc) VALUES ($1, $2, $3)")
            .bind(c.seq as i64)
            .bind(c.kind.as_str())
            .bind(enc(c)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn purge_through(&self, c: &AuditCheckpoint) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        self.lock_audit(&mut tx).await?;
        let row = sqlx::query("SELECT seq, doc FROM audit_log WHERE seq = $1")
            .bind(c.seq as i64)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_err)?;
        let entry = row.as_ref().map(audit_row).transpose()?;
        check_purge(c, entry.as_ref())?;
        // The checkpoint goes in first: the delete trigger allows exactly the covered prefix.
        sqlx::query("INSERT INTO audit_checkpoints (seq, kind, doc) VALUES ($1, $2, $3)")
            .bind(c.seq as i64)
            .bind(c.kind.as_str())
            .bind(enc(c)?)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        let done = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(c.seq as i64)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl AccessStore for SqlStore {
    async fn upsert_user(&self, u: &User) -> StoreResult<()> {
        sqlx::query("INSERT INTO access_users (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(u.id.clone())
            .bind(enc(u)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        self.one(
            "SELECT id, doc FROM access_users WHERE id = $1",
            id,
            "access_users",
        )
        .await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT id, doc FROM access_users ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "access_users")
    }

    async fn upsert_role(&self, r: &Role) -> StoreResult<()> {
        sqlx::query("INSERT INTO access_roles (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc")
            .bind(r.name.clone())
            .bind(enc(r)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn get_role(&self, name: &str) -> StoreResult<Option<Role>> {
        self.one(
            "SELECT name, doc FROM access_roles WHERE name = $1",
            name,
            "access_roles",
        )
        .await
    }

    async fn list_roles(&self) -> StoreResult<Vec<Role>> {
        let rows = sqlx::query("SELECT name, doc FROM access_roles ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "access_roles")
    }

    async fn grant(&self, m: &Membership) -> StoreResult<()> {
        sqlx::query("INSERT INTO access_memberships (user_id, role, doc) VALUES ($1, $2, $3) ON CONFLICT (user_id, role) DO UPDATE SET doc = excluded.doc")
            .bind(m.user_id.clone())
            .bind(m.role.clone())
            .bind(enc(m)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn revoke(&self, user_id: &str, role: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM access_memberships WHERE user_id = $1 AND role = $2")
            .bind(user_id.to_string())
            .bind(role.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn memberships(&self, user_id: &str) -> StoreResult<Vec<Membership>> {
        self.many(
            "SELECT role, doc FROM access_memberships WHERE user_id = $1 ORDER BY role",
            user_id,
            "access_memberships",
        )
        .await
    }
}
