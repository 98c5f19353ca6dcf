//! Opening a store: URL parameters, refusal of foreign files, pooling and migrations.

use super::*;

/// `e` with the URL and its secrets masked in every message (drivers may
/// echo the connection string or the password).
fn redact_error(e: StoreError, url: &str) -> StoreError {
    let r = |m: String| crate::store::redact_in(&m, url);
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
        #[cfg(feature = "postgres")]
        let pg = match backend {
            // Connects on first use; the `Any` pool has just proven the URL.
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect_lazy(url)
                    .map_err(backend_err)?,
            ),
            Backend::Sqlite => None,
        };
        let store = SqlStore {
            pool,
            backend,
            compress,
            #[cfg(feature = "postgres")]
            pg,
        };
        store.check_is_wacrm().await?;
        store.migrate().await?;
        store.rewrite_legacy_bodies().await?;
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

    /// Schema versions this build knows for `backend` (its migrations), oldest
    /// first: what [`SqlStore::schema_versions`] reads after opening.
    pub fn known_schema_versions(backend: Backend) -> Vec<i64> {
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.iter().map(|m| m.version).collect()
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

    pub(super) fn lock_clause(&self) -> &'static str {
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
