//! SQLite (embedded default) and PostgreSQL adapters: one implementation over
//! sqlx's `Any` driver, with per-backend migrations that run on open. SQLite
//! runs in WAL mode with a single writer connection; PostgreSQL claims outbox
//! items with `FOR UPDATE SKIP LOCKED` so several workers never share one.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use super::logic::*;
use super::traits::*;
use super::types::*;
use crate::ErrorDetails;
use crate::ids::{AgentId, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId};
use crate::time::Millis;

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// SQL-backed store implementing every store trait.
pub struct SqlStore {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    compress: bool,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish()
    }
}

pub(super) fn backend_err(e: sqlx::Error) -> StoreError {
    let retryable = matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    ) || e.to_string().contains("database is locked");
    let message = e.to_string();
    if message.contains("file is not a database") {
        return StoreError::NotAWacrmDatabase(message);
    }
    StoreError::Backend { message, retryable }
}

/// `e` with the URL and its secrets masked in every message (drivers may
/// echo the connection string or the password).
fn redact_error(e: StoreError, url: &str) -> StoreError {
    let r = |m: String| super::redact_in(&m, url);
    match e {
        StoreError::NotFound(m) => StoreError::NotFound(r(m)),
        StoreError::Duplicate(m) => StoreError::Duplicate(r(m)),
        StoreError::Corrupt { key, message } => StoreError::Corrupt {
            key: r(key),
            message: r(message),
        },
        StoreError::Migration(m) => StoreError::Migration(r(m)),
        StoreError::NotAWacrmDatabase(m) => StoreError::NotAWacrmDatabase(r(m)),
        StoreError::LeaseLost(m) => StoreError::LeaseLost(r(m)),
        StoreError::Backend { message, retryable } => StoreError::Backend {
            message: r(message),
            retryable,
        },
        c @ StoreError::Conflict { .. } => c,
    }
}

/// Refuse a file that exists but is not SQLite before the pool retries it for ages.
fn check_sqlite_header(url: &str) -> StoreResult<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() || path.contains(":memory:") {
        return Ok(());
    }
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(()); // created on open
    };
    let mut head = [0u8; 16];
    use std::io::Read;
    let n = f.read(&mut head).unwrap_or(0);
    if n > 0 && (n < 16 || &head != b"SQLite format 3\0") {
        return Err(StoreError::NotAWacrmDatabase(format!(
            "{path} is not a SQLite database"
        )));
    }
    Ok(())
}

fn take_compress_param(url: &str) -> (String, bool) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), false);
    };
    let mut compress = false;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            if *kv == "wacrm_compress=zstd" {
                compress = true;
                false
            } else {
                !kv.is_empty()
            }
        })
        .collect();
    if rest.is_empty() {
        (base.to_string(), compress)
    } else {
        (format!("{base}?{}", rest.join("&")), compress)
    }
}

/// Marker of a zstd-compressed document (base64 inside a TEXT column).
const ZSTD_PREFIX: &str = "zstd:";

fn compress_doc(doc: String) -> StoreResult<String> {
    use base64::Engine as _;
    let packed = zstd::bulk::compress(doc.as_bytes(), 3).map_err(|e| StoreError::Backend {
        message: format!("zstd: {e}"),
        retryable: false,
    })?;
    Ok(format!(
        "{ZSTD_PREFIX}{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(packed)
    ))
}

fn expand_doc<'a>(doc: &'a str, key: &str) -> StoreResult<std::borrow::Cow<'a, str>> {
    use base64::Engine as _;
    let Some(b64) = doc.strip_prefix(ZSTD_PREFIX) else {
        return Ok(std::borrow::Cow::Borrowed(doc));
    };
    let corrupt = |m: String| StoreError::Corrupt {
        key: key.to_string(),
        message: m,
    };
    let packed = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(b64)
        .map_err(|e| corrupt(e.to_string()))?;
    let raw = zstd::stream::decode_all(&packed[..]).map_err(|e| corrupt(e.to_string()))?;
    String::from_utf8(raw)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| corrupt(e.to_string()))
}

pub(super) fn enc<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt {
        key: "encode".into(),
        message: e.to_string(),
    })
}

pub(super) fn dec<T: DeserializeOwned>(row: &AnyRow, key: &str) -> StoreResult<T> {
    let doc: String = row.try_get("doc").map_err(backend_err)?;
    let doc = expand_doc(&doc, key)?;
    serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })
}

pub(super) fn dec_rows<T: DeserializeOwned>(rows: &[AnyRow], table: &str) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(|r| {
            let id: String = r.try_get(0).unwrap_or_default();
            dec(r, &format!("{table}/{id}"))
        })
        .collect()
}

impl SqlStore {
    /// Open (and migrate) a store: `sqlite://path`, `sqlite::memory:` or `postgres://...`.
    /// Errors never carry the URL's password.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        Self::open_unredacted(url)
            .await
            .map_err(|e| redact_error(e, url))
    }

    async fn open_unredacted(url: &str) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        // `wacrm_compress=zstd` is ours: message documents are stored zstd-compressed.
        let (url, compress) = take_compress_param(url);
        let url = url.as_str();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Backend {
                message: format!("unsupported store url {url:?}"),
                retryable: false,
            });
        };
        let pool = match backend {
            Backend::Sqlite => {
                check_sqlite_header(url)?;
                let url = if url.contains(":memory:") || url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                // One connection: SQLite has a single writer, and serialising here
                // makes every multi-statement operation atomic without busy retries.
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(std::time::Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::query("PRAGMA journal_mode=WAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA busy_timeout=5000")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA synchronous=NORMAL")
                                .execute(&mut *conn)
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .map_err(backend_err)?
            }
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await
                .map_err(backend_err)?,
        };
        let store = SqlStore {
            pool,
            backend,
            compress,
        };
        store.check_is_wacrm().await?;
        store.migrate().await?;
        Ok(store)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn check_is_wacrm(&self) -> StoreResult<()> {
        let q = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema()"
            }
        };
        let rows = sqlx::query(q)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        let names: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>(0).ok())
            .collect();
        let ours = names.iter().any(|n| n == "_sqlx_migrations")
            && names.iter().any(|n| n == "wacrm_meta");
        let foreign = match self.backend {
            // A SQLite file is ours alone: any other table means it belongs to something else.
            Backend::Sqlite => !names.is_empty() && !ours,
            // A PostgreSQL schema may be shared; only our own table names without our bookkeeping are a problem.
            Backend::Postgres => names.iter().any(|n| n == "outbox" || n == "contacts") && !ours,
        };
        if foreign {
            return Err(StoreError::NotAWacrmDatabase(format!(
                "found tables {names:?} without wacrm's schema marker"
            )));
        }
        Ok(())
    }

    async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::Migration(format!(
                "the database was migrated by a newer wacrm (schema version {v} is unknown here)"
            )),
            other => StoreError::Migration(other.to_string()),
        })
    }

    /// Schema versions applied, oldest first.
    pub async fn schema_versions(&self) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<i64, _>(0).ok())
            .collect())
    }

    fn lock_clause(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    pub(super) async fn one<T: DeserializeOwned>(
        &self,
        sql: &str,
        arg: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        let row = sqlx::query(sql)
            .bind(arg.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.map(|r| dec(&r, key)).transpose()
    }

    pub(super) async fn many<T: DeserializeOwned>(
        &self,
        sql: &str,
        arg: &str,
        table: &str,
    ) -> StoreResult<Vec<T>> {
        let rows = sqlx::query(sql)
            .bind(arg.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, table)
    }
}

async fn write_contact<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    c: &Contact,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contacts (id, e164, wa_id, bsuid, version, doc) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET e164 = excluded.e164, wa_id = excluded.wa_id, bsuid = excluded.bsuid, \
         version = excluded.version, doc = excluded.doc",
    )
    .bind(c.id.0.clone())
    .bind(c.e164.clone())
    .bind(c.wa_id.clone())
    .bind(c.bsuid.clone())
    .bind(c.version as i64)
    .bind(enc(c)?)
    .execute(&mut **tx)
    .await
    .map_err(backend_err)?;
    Ok(())
}

fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

impl SqlStore {
    async fn upsert_tx<'c>(
        &self,
        tx: &mut sqlx::Transaction<'c, sqlx::Any>,
        c: &Contact,
        expected: Option<u64>,
    ) -> StoreResult<Contact> {
        let sql = format!(
            "SELECT id, doc FROM contacts WHERE id = $1{}",
            self.lock_clause()
        );
        let row = sqlx::query(&sql)
            .bind(c.id.0.clone())
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend_err)?;
        let existing: Option<Contact> = row
            .map(|r| dec(&r, &format!("contacts/{}", c.id)))
            .transpose()?;
        let found = existing.as_ref().map(|x| x.version).unwrap_or(0);
        if let Some(exp) = expected
            && exp != found
        {
            return Err(StoreError::Conflict {
                expected: exp,
                found,
            });
        }
        let mut stored = c.clone();
        stored.version = found + 1;
        let now = now_ms();
        stored.created_at = existing
            .map(|e| e.created_at)
            .unwrap_or(if c.created_at == 0 { now } else { c.created_at });
        stored.updated_at = now;
        write_contact(tx, &stored).await?;
        Ok(stored)
    }
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn get(&self, id: &ContactId) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE id = $1",
            id.as_str(),
            &format!("contacts/{id}"),
        )
        .await
    }

    async fn find_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE wa_id = $1 ORDER BY id LIMIT 1",
            wa_id,
            "contacts",
        )
        .await
    }

    async fn find_by_e164(&self, e164: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE e164 = $1 ORDER BY id LIMIT 1",
            e164,
            "contacts",
        )
        .await
    }

    async fn find_by_bsuid(&self, bsuid: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE bsuid = $1 ORDER BY id LIMIT 1",
            bsuid,
            "contacts",
        )
        .await
    }

    async fn upsert(&self, c: &Contact, expected_version: Option<u64>) -> StoreResult<Contact> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let out = self.upsert_tx(&mut tx, c, expected_version).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let mut out = Vec::with_capacity(cs.len());
        for c in cs {
            out.push(self.upsert_tx(&mut tx, c, None).await?);
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn list(&self, f: &ContactFilter, page: &PageRequest) -> StoreResult<Page<Contact>> {
        // Filters run over the documents in id order, a batch at a time.
        let limit = page.limit.max(1);
        let mut after = page.after.clone().unwrap_or_default();
        let mut items: Vec<Contact> = Vec::new();
        loop {
            let rows =
                sqlx::query("SELECT id, doc FROM contacts WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after.clone())
                    .bind(500i64)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
            let batch: Vec<Contact> = dec_rows(&rows, "contacts")?;
            let exhausted = batch.len() < 500;
            for c in batch {
                after = c.id.0.clone();
                if !f.matches(&c) {
                    continue;
                }
                if items.len() == limit {
                    let next = items.last().map(|x| x.id.0.clone());
                    return Ok(Page { items, next });
                }
                items.push(c);
            }
            if exhausted {
                return Ok(Page { items, next: None });
            }
        }
    }

    async fn merge(&self, survivor: &ContactId, absorbed: &ContactId) -> StoreResult<Contact> {
        if survivor == absorbed {
            return Err(StoreError::Duplicate(
                "cannot merge a contact into itself".into(),
            ));
        }
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let sql = format!(
            "SELECT id, doc FROM contacts WHERE id = $1{}",
            self.lock_clause()
        );
        let mut load = async |id: &ContactId| -> StoreResult<Contact> {
            let row = sqlx::query(&sql)
                .bind(id.0.clone())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
            row.map(|r| dec(&r, &format!("contacts/{id}")))
                .transpose()?
                .ok_or_else(|| StoreError::NotFound(id.0.clone()))
        };
        let s = load(survivor).await?;
        let a = load(absorbed).await?;
        let merged = merged_contact(&s, &a, now_ms());
        // Re-point conversations and messages, document and key column alike.
        let convs = sqlx::query(&format!(
            "SELECT id, doc FROM conversations WHERE contact_id = $1{}",
            self.lock_clause()
        ))
        .bind(absorbed.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        for mut c in dec_rows::<Conversation>(&convs, "conversations")? {
            c.contact_id = survivor.clone();
            sqlx::query("UPDATE conversations SET contact_id = $1, doc = $2 WHERE id = $3")
                .bind(survivor.0.clone())
                .bind(enc(&c)?)
                .bind(c.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        let msgs = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE contact_id = $1{}",
            self.lock_clause()
        ))
        .bind(absorbed.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        for mut m in dec_rows::<MessageRecord>(&msgs, "messages")? {
            m.contact_id = Some(survivor.clone());
            sqlx::query("UPDATE messages SET contact_id = $1, doc = $2 WHERE id = $3")
                .bind(survivor.0.clone())
                .bind(self.enc_msg(&m)?)
                .bind(m.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(absorbed.0.clone())
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        write_contact(&mut tx, &merged).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(merged)
    }

    async fn delete(&self, id: &ContactId) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(id.0.clone())
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(r.rows_affected() > 0)
    }
}

#[async_trait]
impl ConversationStore for SqlStore {
    async fn create(&self, c: &Conversation) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO conversations (id, contact_id, phone_number_id, agent_id, status, closed_at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.0.clone())
        .bind(c.contact_id.0.clone())
        .bind(c.phone_number_id.0.clone())
        .bind(c.agent_id.as_ref().map(|a| a.0.clone()))
        .bind(c.status.as_str())
        .bind(c.closed_at)
        .bind(enc(c)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().to_lowercase().contains("unique") => {
                Err(StoreError::Duplicate(c.id.0.clone()))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn update(&self, c: &Conversation) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE conversations SET contact_id = $1, phone_number_id = $2, agent_id = $3, status = $4, closed_at = $5, doc = $6 WHERE id = $7",
        )
        .bind(c.contact_id.0.clone())
        .bind(c.phone_number_id.0.clone())
        .bind(c.agent_id.as_ref().map(|a| a.0.clone()))
        .bind(c.status.as_str())
        .bind(c.closed_at)
        .bind(enc(c)?)
        .bind(c.id.0.clone())
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(c.id.0.clone()));
        }
        Ok(())
    }

    async fn get(&self, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        self.one(
            "SELECT id, doc FROM conversations WHERE id = $1",
            id.as_str(),
            "conversations",
        )
        .await
    }

    async fn open_for_contact(
        &self,
        contact: &ContactId,
        number: &PhoneNumberId,
    ) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query(
            "SELECT id, doc FROM conversations WHERE contact_id = $1 AND phone_number_id = $2 \
             AND status IN ('open', 'waiting_on_customer') ORDER BY id LIMIT 1",
        )
        .bind(contact.0.clone())
        .bind(number.0.clone())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_err)?;
        row.map(|r| dec(&r, "conversations")).transpose()
    }

    async fn list_open(&self) -> StoreResult<Vec<Conversation>> {
        let rows = sqlx::query("SELECT id, doc FROM conversations WHERE status IN ('open', 'waiting_on_customer') ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "conversations")
    }

    async fn list_open_by_agent(&self, agent: &AgentId) -> StoreResult<Vec<Conversation>> {
        self.many(
            "SELECT id, doc FROM conversations WHERE agent_id = $1 AND status IN ('open', 'waiting_on_customer') ORDER BY id",
            agent.as_str(),
            "conversations",
        )
        .await
    }

    async fn list_for_contact(&self, contact: &ContactId) -> StoreResult<Vec<Conversation>> {
        self.many(
            "SELECT id, doc FROM conversations WHERE contact_id = $1 ORDER BY id",
            contact.as_str(),
            "conversations",
        )
        .await
    }

    async fn list_all(&self, page: &PageRequest) -> StoreResult<Page<Conversation>> {
        let limit = page.limit.max(1);
        let rows =
            sqlx::query("SELECT id, doc FROM conversations WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(page.after.clone().unwrap_or_default())
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
        let items: Vec<Conversation> = dec_rows(&rows, "conversations")?;
        let next = (items.len() == limit)
            .then(|| items.last().map(|c| c.id.0.clone()))
            .flatten();
        Ok(Page { items, next })
    }

    async fn archive_closed_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT id, doc FROM conversations WHERE status = 'closed' AND closed_at < $1{}",
            self.lock_clause()
        ))
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let convs: Vec<Conversation> = dec_rows(&rows, "conversations")?;
        for mut c in convs.iter().cloned() {
            c.status = ConversationStatus::Archived;
            sqlx::query("UPDATE conversations SET status = 'archived', doc = $1 WHERE id = $2")
                .bind(enc(&c)?)
                .bind(c.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(convs.len() as u64)
    }
}

impl SqlStore {
    /// Message documents, compressed when the store was opened with `wacrm_compress=zstd`.
    fn enc_msg(&self, m: &MessageRecord) -> StoreResult<String> {
        let doc = enc(m)?;
        if self.compress {
            compress_doc(doc)
        } else {
            Ok(doc)
        }
    }

    async fn insert_message<'c>(
        &self,
        tx: &mut sqlx::Transaction<'c, sqlx::Any>,
        m: &MessageRecord,
    ) -> StoreResult<Recorded> {
        let r = sqlx::query(
            "INSERT INTO messages (id, conversation_id, contact_id, created_at, doc) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(m.id.0.clone())
        .bind(m.conversation_id.as_ref().map(|c| c.0.clone()))
        .bind(m.contact_id.as_ref().map(|c| c.0.clone()))
        .bind(m.created_at)
        .bind(self.enc_msg(m)?)
        .execute(&mut **tx)
        .await
        .map_err(backend_err)?;
        Ok(if r.rows_affected() == 0 {
            Recorded::Duplicate
        } else {
            Recorded::New
        })
    }
}

#[async_trait]
impl MessageStore for SqlStore {
    async fn record_inbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let r = self.insert_message(&mut tx, m).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(r)
    }

    async fn record_outbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let pending_rows = sqlx::query(&format!(
            "SELECT message_id, doc FROM pending_statuses WHERE message_id = $1{}",
            self.lock_clause()
        ))
        .bind(m.id.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let mut pending: Vec<StatusUpdate> = dec_rows(&pending_rows, "pending_statuses")?;
        pending.sort_by_key(|s| s.at);
        let mut rec = m.clone();
        for s in &pending {
            apply_status_to(&mut rec, s);
        }
        let r = self.insert_message(&mut tx, &rec).await?;
        if r == Recorded::New {
            sqlx::query("DELETE FROM pending_statuses WHERE message_id = $1")
                .bind(m.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(r)
    }

    async fn apply_status(&self, s: &StatusUpdate) -> StoreResult<StatusApplied> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(s.message_id.0.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?;
        let out = match row {
            Some(r) => {
                let mut m: MessageRecord = dec(&r, &format!("messages/{}", s.message_id))?;
                let applied = apply_status_to(&mut m, s);
                sqlx::query("UPDATE messages SET doc = $1 WHERE id = $2")
                    .bind(self.enc_msg(&m)?)
                    .bind(m.id.0.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                applied
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO pending_statuses (message_id, status, doc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(s.message_id.0.clone())
                .bind(s.status.as_str())
                .bind(enc(s)?)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                if r.rows_affected() == 0 {
                    StatusApplied::Ignored(format!("duplicate pending {}", s.status.as_str()))
                } else {
                    StatusApplied::Pending
                }
            }
        };
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn get_message(&self, id: &MessageId) -> StoreResult<Option<MessageRecord>> {
        self.one(
            "SELECT id, doc FROM messages WHERE id = $1",
            id.as_str(),
            "messages",
        )
        .await
    }

    async fn list_for_conversation(&self, c: &ConversationId) -> StoreResult<Vec<MessageRecord>> {
        self.many(
            "SELECT id, doc FROM messages WHERE conversation_id = $1 ORDER BY created_at, id",
            c.as_str(),
            "messages",
        )
        .await
    }

    async fn list_for_contact(&self, c: &ContactId) -> StoreResult<Vec<MessageRecord>> {
        self.many(
            "SELECT id, doc FROM messages WHERE contact_id = $1 ORDER BY created_at, id",
            c.as_str(),
            "messages",
        )
        .await
    }

    async fn pending_statuses(&self) -> StoreResult<Vec<StatusUpdate>> {
        let rows = sqlx::query("SELECT message_id, doc FROM pending_statuses ORDER BY message_id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "pending_statuses")
    }

    async fn list_between(
        &self,
        from: Millis,
        to: Millis,
        page: &PageRequest,
    ) -> StoreResult<Page<MessageRecord>> {
        let limit = page.limit.max(1);
        // Keyset paging on (created_at, id): the created_at index serves it.
        let (after_t, after_id) = match &page.after {
            Some(c) => super::logic::parse_time_cursor(c)?,
            None => (Millis::MIN, String::new()),
        };
        let rows = sqlx::query(
            "SELECT id, doc FROM messages WHERE created_at >= $1 AND created_at < $2 \
             AND (created_at > $3 OR (created_at = $3 AND id > $4)) \
             ORDER BY created_at, id LIMIT $5",
        )
        .bind(from)
        .bind(to)
        .bind(after_t)
        .bind(after_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        let items: Vec<MessageRecord> = dec_rows(&rows, "messages")?;
        let next = (items.len() == limit)
            .then(|| {
                items
                    .last()
                    .map(|m| super::logic::time_cursor(m.created_at, m.id.as_str()))
            })
            .flatten();
        Ok(Page { items, next })
    }

    async fn purge_bodies_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE created_at < $1{}",
            self.lock_clause()
        ))
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let mut n = 0;
        for mut m in dec_rows::<MessageRecord>(&rows, "messages")? {
            if m.body.is_null() {
                continue;
            }
            m.body = serde_json::Value::Null;
            sqlx::query("UPDATE messages SET doc = $1 WHERE id = $2")
                .bind(self.enc_msg(&m)?)
                .bind(m.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            n += 1;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(n)
    }
}

fn lease_until(s: &OutboxState) -> Option<Millis> {
    match s {
        OutboxState::Leased { until, .. } => Some(*until),
        _ => None,
    }
}

async fn write_item<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    i: &OutboxItem,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET state = $1, not_before = $2, lease_until = $3, doc = $4 WHERE id = $5",
    )
    .bind(i.state.name())
    .bind(i.not_before)
    .bind(lease_until(&i.state))
    .bind(enc(i)?)
    .bind(i.id.clone())
    .execute(&mut **tx)
    .await
    .map_err(backend_err)?;
    Ok(())
}

impl SqlStore {
    /// Load the leased item, let `f` change it, write it back — in one transaction.
    async fn with_lease(
        &self,
        lease: &LeaseToken,
        f: impl FnOnce(&mut OutboxItem),
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT id, doc FROM outbox WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(lease.item_id.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?
        .ok_or_else(|| StoreError::NotFound(lease.item_id.clone()))?;
        let mut item: OutboxItem = dec(&row, &format!("outbox/{}", lease.item_id))?;
        check_lease(&item, lease)?;
        f(&mut item);
        write_item(&mut tx, &item).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued> {
        let r = sqlx::query(
            "INSERT INTO outbox (id, idem_key, state, lane, not_before, created_at, lease_until, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idem_key) DO NOTHING",
        )
        .bind(item.id.clone())
        .bind(item.idempotency_key.0.clone())
        .bind(item.state.name())
        .bind(item.lane as i32)
        .bind(item.not_before)
        .bind(item.created_at)
        .bind(lease_until(&item.state))
        .bind(enc(item)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(r) if r.rows_affected() == 0 => Ok(Enqueued::Duplicate),
            Ok(_) => Ok(Enqueued::New),
            Err(e) if e.to_string().to_lowercase().contains("unique") => {
                Err(StoreError::Duplicate(format!("outbox item id {}", item.id)))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "SELECT id, doc FROM outbox WHERE (state IN ('queued', 'retry_later', 'deferred') AND not_before <= $1) \
             OR (state = 'leased' AND lease_until <= $2) ORDER BY lane, not_before, created_at, id LIMIT $3{lock}"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(now)
            .bind(limit as i64)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_err)?;
        let until = now + lease_ms;
        let mut out = Vec::with_capacity(rows.len());
        for mut item in dec_rows::<OutboxItem>(&rows, "outbox")? {
            item.state = OutboxState::Leased {
                worker: worker.to_string(),
                until,
            };
            item.attempts += 1;
            item.updated_at = now;
            write_item(&mut tx, &item).await?;
            out.push(LeasedItem {
                lease: LeaseToken {
                    item_id: item.id.clone(),
                    worker: worker.to_string(),
                    until,
                },
                item,
            });
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Sent {
                message_id: message_id.clone(),
            };
            i.updated_at = now;
        })
        .await
    }

    async fn retry_later(
        &self,
        lease: &LeaseToken,
        at: Millis,
        error: &ErrorDetails,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::RetryLater;
            i.not_before = at;
            i.history
                .push(format!("retry: {} {}", error.code, error.message));
            i.last_error = Some(error.clone());
        })
        .await
    }

    async fn defer(&self, lease: &LeaseToken, until: Millis, reason: &str) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Deferred {
                reason: reason.to_string(),
            };
            i.not_before = until;
            i.attempts = i.attempts.saturating_sub(1);
            i.history.push(format!("deferred: {reason}"));
        })
        .await
    }

    async fn park(
        &self,
        lease: &LeaseToken,
        reason: &str,
        error: Option<&ErrorDetails>,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Parked {
                reason: reason.to_string(),
            };
            i.history.push(format!("parked: {reason}"));
            if let Some(e) = error {
                i.last_error = Some(e.clone());
            }
        })
        .await
    }

    async fn release_expired(&self, now: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT id, doc FROM outbox WHERE state = 'leased' AND lease_until <= $1{}",
            match self.backend {
                Backend::Sqlite => "",
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            }
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let items: Vec<OutboxItem> = dec_rows(&rows, "outbox")?;
        for mut i in items.iter().cloned() {
            i.state = OutboxState::Queued;
            i.history.push("lease expired: released".into());
            write_item(&mut tx, &i).await?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(items.len() as u64)
    }

    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>> {
        self.one("SELECT id, doc FROM outbox WHERE id = $1", id, "outbox")
            .await
    }

    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>> {
        self.one(
            "SELECT id, doc FROM outbox WHERE idem_key = $1",
            key.as_str(),
            "outbox",
        )
        .await
    }

    async fn list_by_state(&self, state: &str, limit: usize) -> StoreResult<Vec<OutboxItem>> {
        let rows = sqlx::query(
            "SELECT id, doc FROM outbox WHERE state = $1 ORDER BY created_at, id LIMIT $2",
        )
        .bind(state.to_string())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        dec_rows(&rows, "outbox")
    }

    async fn stats(&self) -> StoreResult<OutboxStats> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        let mut s = OutboxStats::default();
        for r in rows {
            let state: String = r.try_get(0).map_err(backend_err)?;
            let n: i64 = r.try_get(1).map_err(backend_err)?;
            let n = n as u64;
            match state.as_str() {
                "queued" => s.queued = n,
                "leased" => s.leased = n,
                "sent" => s.sent = n,
                "deferred" => s.deferred = n,
                "retry_later" => s.retry_later = n,
                "parked" => s.parked = n,
                other => {
                    return Err(StoreError::Corrupt {
                        key: "outbox.state".into(),
                        message: format!("unknown state {other}"),
                    });
                }
            }
        }
        Ok(s)
    }
}

#[async_trait]
impl SyncStateStore for SqlStore {
    async fn get_cursor(&self, connector: &str, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM sync_cursors WHERE connector = $1 AND key = $2")
            .bind(connector.to_string())
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.map(|r| r.try_get::<String, _>(0).map_err(backend_err))
            .transpose()
    }

    async fn set_cursor(&self, connector: &str, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sync_cursors (connector, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value",
        )
        .bind(connector.to_string())
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        Ok(())
    }

    async fn park_push(&self, p: &ParkedPush) -> StoreResult<()> {
        sqlx::query("INSERT INTO parked_pushes (id, connector, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(p.id.clone())
            .bind(p.connector.clone())
            .bind(enc(p)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn list_parked(&self, connector: &str) -> StoreResult<Vec<ParkedPush>> {
        self.many(
            "SELECT id, doc FROM parked_pushes WHERE connector = $1 ORDER BY id",
            connector,
            "parked_pushes",
        )
        .await
    }

    async fn record_discrepancy(&self, d: &Discrepancy) -> StoreResult<()> {
        sqlx::query("INSERT INTO discrepancies (id, connector, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(d.id.clone())
            .bind(d.connector.clone())
            .bind(enc(d)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn list_discrepancies(&self, connector: &str) -> StoreResult<Vec<Discrepancy>> {
        self.many(
            "SELECT id, doc FROM discrepancies WHERE connector = $1 ORDER BY id",
            connector,
            "discrepancies",
        )
        .await
    }
}

// The audit log (hash chain, checkpoints) and access records live in `sql_access.rs`.

#[async_trait]
impl AgentStore for SqlStore {
    async fn upsert_agent(&self, a: &Agent) -> StoreResult<()> {
        sqlx::query("INSERT INTO agents (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(a.id.0.clone())
            .bind(enc(a)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn get_agent(&self, id: &AgentId) -> StoreResult<Option<Agent>> {
        self.one(
            "SELECT id, doc FROM agents WHERE id = $1",
            id.as_str(),
            "agents",
        )
        .await
    }

    async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
        let rows = sqlx::query("SELECT id, doc FROM agents ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "agents")
    }

    async fn set_presence(&self, id: &AgentId, p: Presence, at: Millis) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT id, doc FROM agents WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(id.0.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?
        .ok_or_else(|| StoreError::NotFound(id.0.clone()))?;
        let mut a: Agent = dec(&row, &format!("agents/{id}"))?;
        a.presence = p;
        a.updated_at = at;
        sqlx::query("UPDATE agents SET doc = $1 WHERE id = $2")
            .bind(enc(&a)?)
            .bind(a.id.0.clone())
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(())
    }
}
