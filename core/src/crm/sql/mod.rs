//! The SQL table connector: a CRM that is an in-house database table, in
//! SQLite or PostgreSQL (through sqlx).
//!
//! The table is the user's; the connector only needs:
//! - an id column the database fills on insert (`INTEGER PRIMARY KEY` in
//!   SQLite; an identity, serial or defaulted column in PostgreSQL), read as text;
//! - an updated-at column holding milliseconds since the epoch (`BIGINT`),
//!   which the connector sets on every write it makes; other writers must set
//!   it too so their changes are pulled (a NULL reads as 0);
//! - one text column per CRM property, named like the property (the mapped
//!   properties and the identity property, which should be `UNIQUE`).
//!
//! Records are matched like HubSpot's upsert: a known CRM id, then the
//! identity column, then the fallback columns in order (several hits give
//! `MultipleMatches`). Each record is written in its own transaction, so a
//! record the database refuses (a `CHECK`, `NOT NULL` or type violation)
//! comes back `Rejected` and the rest of the batch goes on. An empty value
//! clears a column (NULL). `changed_since` pages by `(updated_at, id)`, so a
//! page boundary inside a run of equal timestamps skips nothing; the cursor
//! is `"<millis>:<id>"`.

mod query;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Row};

use super::connector::*;
use crate::time::{Clock, Millis, SystemClock};
use crate::{Error, Result};
use query::{Failure, Sql, classify};

/// Settings of the SQL table connector.
#[derive(Clone)]
pub struct SqlTableConfig {
    /// `sqlite://PATH` or `postgres://...` (may carry a password: never shown).
    pub url: String,
    /// The table, optionally schema-qualified (`crm.people`).
    pub table: String,
    /// The id column (filled by the database on insert).
    pub id_column: String,
    /// The updated-at column (milliseconds since the epoch).
    pub updated_column: String,
    /// Property columns the connector reads and may write.
    pub properties: Vec<String>,
    /// Records per upsert call.
    pub batch_size: usize,
    /// Most records per changed-since page.
    pub page_size: usize,
}

impl std::fmt::Debug for SqlTableConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlTableConfig")
            .field("url", &crate::store::redact_url(&self.url))
            .field("table", &self.table)
            .field("id_column", &self.id_column)
            .field("updated_column", &self.updated_column)
            .field("properties", &self.properties)
            .field("batch_size", &self.batch_size)
            .field("page_size", &self.page_size)
            .finish()
    }
}

impl SqlTableConfig {
    /// A table with its id and updated-at columns; 100 records a batch, 500 a page.
    pub fn new(
        url: impl Into<String>,
        table: impl Into<String>,
        id_column: impl Into<String>,
        updated_column: impl Into<String>,
    ) -> Self {
        SqlTableConfig {
            url: url.into(),
            table: table.into(),
            id_column: id_column.into(),
            updated_column: updated_column.into(),
            properties: Vec::new(),
            batch_size: 100,
            page_size: 500,
        }
    }

    /// The property columns (usually `Mapping::crm_properties()`).
    pub fn properties(mut self, p: Vec<String>) -> Self {
        self.properties = p;
        self
    }
}

/// A CRM kept in a SQLite or PostgreSQL table.
pub struct SqlTableConnector {
    cfg: SqlTableConfig,
    sql: Sql,
    /// Property name → its position among the select list's property columns.
    index: BTreeMap<String, usize>,
    pool: AnyPool,
    requests: AtomicU64,
    /// Last stamp handed out: stamps never go backwards within a process.
    clock: AtomicI64,
}

impl std::fmt::Debug for SqlTableConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlTableConnector")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// A row as read: id, stamp and the non-empty property values.
struct Found {
    id: String,
    updated_at: Millis,
    props: BTreeMap<String, String>,
}

/// A bound value: text, NULL or a stamp.
enum Bind<'a> {
    Text(&'a str),
    Null,
    Int(i64),
}

impl SqlTableConnector {
    /// Connect and check that the table and every configured column exist.
    pub async fn connect(mut cfg: SqlTableConfig) -> Result<Self> {
        sqlx::any::install_default_drivers();
        cfg.properties.sort();
        cfg.properties.dedup();
        if cfg.batch_size == 0 || cfg.page_size == 0 {
            return Err(Error::Config(
                "sql connector: batch and page sizes must be at least 1".into(),
            ));
        }
        let sql = Sql::new(
            &cfg.table,
            &cfg.id_column,
            &cfg.updated_column,
            &cfg.properties,
        )?;
        let pool = if cfg.url.starts_with("sqlite:") {
            // One connection: SQLite has a single writer; WAL and a busy
            // timeout let other processes (the user's own apps) share the file.
            AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("PRAGMA journal_mode=WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout=5000")
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
                .connect(&cfg.url)
                .await
        } else if cfg.url.starts_with("postgres://") || cfg.url.starts_with("postgresql://") {
            AnyPoolOptions::new()
                .max_connections(4)
                .connect(&cfg.url)
                .await
        } else {
            return Err(Error::Config(format!(
                "sql connector: unsupported url {:?} (sqlite://PATH or postgres://...)",
                crate::store::redact_url(&cfg.url)
            )));
        }
        .map_err(|e| call_err(classify(e, &cfg.url)))?;
        let probe = format!("SELECT {} FROM {} WHERE 1 = 0", sql.select, sql.table);
        if let Err(e) = sqlx::query(&probe).fetch_all(&pool).await {
            let m = crate::store::redact_in(&e.to_string(), &cfg.url);
            return Err(Error::Config(format!(
                "sql connector: table {} with columns {}, {} and {:?} is not readable: {m}",
                cfg.table, cfg.id_column, cfg.updated_column, cfg.properties
            )));
        }
        let index = cfg
            .properties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect();
        Ok(SqlTableConnector {
            cfg,
            sql,
            index,
            pool,
            requests: AtomicU64::new(0),
            clock: AtomicI64::new(0),
        })
    }

    fn tick(&self) -> Millis {
        let now = SystemClock.now_millis();
        let mut cur = self.clock.load(Ordering::SeqCst);
        loop {
            // Strictly after the previous stamp, never behind the wall clock.
            let next = (cur + 1).max(now);
            match self
                .clock
                .compare_exchange(cur, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return next,
                Err(c) => cur = c,
            }
        }
    }

    fn found(&self, row: &AnyRow) -> std::result::Result<Found, sqlx::Error> {
        let mut props = BTreeMap::new();
        for (i, p) in self.cfg.properties.iter().enumerate() {
            let v: Option<String> = row.try_get(i + 2)?;
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                props.insert(p.clone(), v);
            }
        }
        Ok(Found {
            id: row.try_get(0)?,
            updated_at: row.try_get(1)?,
            props,
        })
    }

    /// Rows whose `expr` equals `value` (at most `limit`).
    async fn rows_where(
        &self,
        conn: &mut AnyConnection,
        expr: &str,
        value: &str,
        limit: i64,
    ) -> std::result::Result<Vec<Found>, Failure> {
        let q = format!(
            "SELECT {} FROM {} WHERE {expr} = $1 ORDER BY {} LIMIT $2",
            self.sql.select, self.sql.table, self.sql.id_text
        );
        let rows = sqlx::query(&q)
            .bind(value.to_string())
            .bind(limit)
            .fetch_all(conn)
            .await
            .map_err(|e| classify(e, &self.cfg.url))?;
        rows.iter()
            .map(|r| self.found(r))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| classify(e, &self.cfg.url))
    }

    async fn exec(
        &self,
        conn: &mut AnyConnection,
        q: &str,
        binds: &[Bind<'_>],
    ) -> std::result::Result<Vec<AnyRow>, Failure> {
        let mut query = sqlx::query(q);
        for b in binds {
            query = match b {
                Bind::Text(t) => query.bind(t.to_string()),
                Bind::Null => query.bind(Option::<String>::None),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
            .fetch_all(conn)
            .await
            .map_err(|e| classify(e, &self.cfg.url))
    }

    /// Match and write one record inside its own transaction.
    async fn try_upsert(&self, input: &UpsertInput) -> std::result::Result<UpsertOutcome, Failure> {
        let cl = |e| classify(e, &self.cfg.url);
        let mut tx = self.pool.begin().await.map_err(cl)?;
        let mut target = None;
        if let Some(id) = &input.crm_id {
            target = self
                .rows_where(&mut tx, &self.sql.id_text, id, 1)
                .await?
                .pop();
        }
        if target.is_none() {
            let col = &self.sql.qualified[self.index[&input.id_property]];
            target = self
                .rows_where(&mut tx, col, &input.id_value, 1)
                .await?
                .pop();
        }
        if target.is_none() {
            for (prop, value) in &input.fallbacks {
                // A fallback the table has no column for cannot match anything.
                let Some(&i) = self.index.get(prop) else {
                    continue;
                };
                let mut hits = self
                    .rows_where(&mut tx, &self.sql.qualified[i], value, 10)
                    .await?;
                match hits.len() {
                    0 => continue,
                    1 => target = hits.pop(),
                    _ => {
                        let ids = hits.into_iter().map(|h| h.id).collect();
                        return Ok(UpsertOutcome::MultipleMatches { ids });
                    }
                }
                break;
            }
        }
        let mut props: BTreeMap<&str, &str> = input
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        props.insert(&input.id_property, &input.id_value);
        let stamp = self.tick();
        let outcome = match target {
            Some(row) => {
                let changes: Vec<(&str, &str)> = props
                    .into_iter()
                    .filter(|(k, v)| row.props.get(*k).map_or("", String::as_str) != *v)
                    .collect();
                if changes.is_empty() {
                    return Ok(UpsertOutcome::Unchanged { id: row.id });
                }
                let mut sets = Vec::new();
                let mut binds = Vec::new();
                for (k, v) in &changes {
                    binds.push(if v.is_empty() {
                        Bind::Null
                    } else {
                        Bind::Text(v)
                    });
                    sets.push(format!(
                        "{} = ${}",
                        self.sql.columns[self.index[*k]],
                        binds.len()
                    ));
                }
                binds.push(Bind::Int(stamp));
                sets.push(format!("{} = ${}", self.sql.updated_col, binds.len()));
                binds.push(Bind::Text(&row.id));
                let q = format!(
                    "UPDATE {} SET {} WHERE {} = ${}",
                    self.sql.table,
                    sets.join(", "),
                    self.sql.id_text,
                    binds.len()
                );
                self.exec(&mut tx, &q, &binds).await?;
                UpsertOutcome::Updated { id: row.id }
            }
            None => {
                let mut cols = Vec::new();
                let mut marks = Vec::new();
                let mut binds = Vec::new();
                for (k, v) in props.iter().filter(|(_, v)| !v.is_empty()) {
                    binds.push(Bind::Text(v));
                    cols.push(self.sql.columns[self.index[*k]].clone());
                    marks.push(format!("${}", binds.len()));
                }
                binds.push(Bind::Int(stamp));
                cols.push(self.sql.updated_col.clone());
                marks.push(format!("${}", binds.len()));
                let q = format!(
                    "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
                    self.sql.table,
                    cols.join(", "),
                    marks.join(", "),
                    self.sql.id_text
                );
                let rows = self.exec(&mut tx, &q, &binds).await?;
                let id: String = rows
                    .first()
                    .ok_or_else(|| Failure::Call(Error::Config("insert returned no id".into())))?
                    .try_get(0)
                    .map_err(cl)?;
                UpsertOutcome::Created { id }
            }
        };
        tx.commit().await.map_err(cl)?;
        Ok(outcome)
    }

    async fn upsert_one(&self, input: &UpsertInput) -> Result<UpsertOutcome> {
        let unknown = input
            .properties
            .keys()
            .chain(std::iter::once(&input.id_property))
            .find(|k| !self.index.contains_key(*k));
        if let Some(k) = unknown {
            return Ok(UpsertOutcome::Rejected {
                code: "UNKNOWN_PROPERTY".into(),
                message: format!("property {k:?} is not a configured column"),
            });
        }
        let mut raced = false;
        loop {
            match self.try_upsert(input).await {
                Ok(o) => return Ok(o),
                // Another writer inserted the same unique key between our
                // match and our insert: match again once, which finds it.
                Err(Failure::Unique(_)) if !raced => raced = true,
                Err(Failure::Unique(message)) => {
                    return Ok(UpsertOutcome::Rejected {
                        code: "CONSTRAINT_VIOLATION".into(),
                        message,
                    });
                }
                Err(Failure::Record { code, message }) => {
                    return Ok(UpsertOutcome::Rejected {
                        code: code.into(),
                        message,
                    });
                }
                Err(Failure::Call(e)) => return Err(e),
            }
        }
    }
}

fn call_err(f: Failure) -> Error {
    match f {
        Failure::Call(e) => e,
        Failure::Record { message, .. } | Failure::Unique(message) => Error::Store {
            message,
            retryable: false,
        },
    }
}

/// `"<millis>:<id>"` → its parts; anything else starts from the beginning.
fn parse_cursor(c: Option<&str>) -> (Millis, String) {
    c.and_then(|c| {
        let (at, id) = c.split_once(':')?;
        Some((at.parse().ok()?, id.to_string()))
    })
    .unwrap_or((Millis::MIN, String::new()))
}

#[async_trait]
impl CrmConnector for SqlTableConnector {
    fn name(&self) -> &str {
        "sql"
    }

    fn limits(&self) -> CrmLimits {
        CrmLimits {
            max_batch: self.cfg.batch_size,
            max_page: self.cfg.page_size,
            requests_per_10s: 0,
        }
    }

    async fn upsert(&self, batch: &[UpsertInput]) -> Result<Vec<UpsertOutcome>> {
        let mut out = Vec::with_capacity(batch.len());
        for input in batch {
            self.requests.fetch_add(1, Ordering::Relaxed);
            out.push(self.upsert_one(input).await?);
        }
        Ok(out)
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<CrmRecord>> {
        let mut by_id = BTreeMap::new();
        for chunk in ids.chunks(100) {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let q = format!(
                "SELECT {} FROM {} WHERE {} IN ({})",
                self.sql.select,
                self.sql.table,
                self.sql.id_text,
                marks.join(", ")
            );
            let binds: Vec<Bind> = chunk.iter().map(|s| Bind::Text(s)).collect();
            let mut conn = self
                .pool
                .acquire()
                .await
                .map_err(|e| call_err(classify(e, &self.cfg.url)))?;
            let rows = self.exec(&mut conn, &q, &binds).await.map_err(call_err)?;
            for r in &rows {
                let f = self
                    .found(r)
                    .map_err(|e| call_err(classify(e, &self.cfg.url)))?;
                by_id.insert(f.id.clone(), f);
            }
        }
        // In the order asked for; unknown ids left out.
        Ok(ids
            .iter()
            .filter_map(|id| by_id.remove(id))
            .map(|f| CrmRecord {
                id: f.id,
                properties: f.props,
                updated_at: f.updated_at,
            })
            .collect())
    }

    async fn changed_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let limit = limit.clamp(1, self.cfg.page_size);
        let (at, id) = parse_cursor(cursor);
        let (upd, idt) = (&self.sql.updated, &self.sql.id_text);
        // Keyset paging on (updated_at, id): one more row than asked tells
        // whether another page follows.
        let q = format!(
            "SELECT {} FROM {} WHERE {upd} > $1 OR ({upd} = $2 AND {idt} > $3) \
             ORDER BY {upd}, {idt} LIMIT $4",
            self.sql.select, self.sql.table
        );
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| call_err(classify(e, &self.cfg.url)))?;
        let rows = self
            .exec(
                &mut conn,
                &q,
                &[
                    Bind::Int(at),
                    Bind::Int(at),
                    Bind::Text(&id),
                    Bind::Int(limit as i64 + 1),
                ],
            )
            .await
            .map_err(call_err)?;
        let has_more = rows.len() > limit;
        let mut records = Vec::with_capacity(limit.min(rows.len()));
        for r in rows.iter().take(limit) {
            let f = self
                .found(r)
                .map_err(|e| call_err(classify(e, &self.cfg.url)))?;
            records.push(CrmRecord {
                id: f.id,
                properties: f.props,
                updated_at: f.updated_at,
            });
        }
        let next_cursor = records
            .last()
            .map(|r| format!("{}:{}", r.updated_at, r.id))
            .or_else(|| cursor.map(str::to_string));
        Ok(ChangePage {
            records,
            next_cursor,
            has_more,
        })
    }

    fn stats(&self) -> ConnectorStats {
        ConnectorStats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_tolerates_garbage() {
        assert_eq!(parse_cursor(Some("17:42")), (17, "42".into()));
        assert_eq!(parse_cursor(Some("17:a:b")), (17, "a:b".into()));
        assert_eq!(parse_cursor(None), (Millis::MIN, String::new()));
        assert_eq!(parse_cursor(Some("x:1")), (Millis::MIN, String::new()));
    }

    #[test]
    fn debug_hides_the_password() {
        let c = SqlTableConfig::new("postgres://u:hunter2@db/crm", "t", "id", "updated_at");
        let d = format!("{c:?}");
        assert!(!d.contains("hunter2"), "{d}");
    }
}
