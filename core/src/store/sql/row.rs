//! One place that writes a record's key columns and its JSON document, so the
//! columns queries filter on can never drift from the document readers decode.

use super::*;

/// A key column's value.
pub(super) enum Col {
    /// Text, or NULL.
    Text(Option<String>),
    /// Integer, or NULL.
    Int(Option<i64>),
}

/// A record stored as `id`, key columns and `doc`.
pub(super) trait Keyed: Serialize + Sized {
    /// Table name.
    const TABLE: &'static str;
    /// The `id` column.
    fn id(&self) -> String;
    /// Every other key column with its value, taken from the record itself.
    fn columns(&self) -> Vec<(&'static str, Col)>;
    /// The document (message documents may be compressed).
    fn doc(&self, store: &SqlStore) -> StoreResult<String> {
        let _ = store;
        enc(self)
    }
}

/// What an insert does when the id exists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OnConflict {
    /// Fail with the backend's unique violation.
    Fail,
    /// Keep the stored row (rows affected: 0).
    Ignore,
    /// Replace key columns and document.
    Replace,
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    c: Col,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match c {
        Col::Text(v) => q.bind(v),
        Col::Int(v) => q.bind(v),
    }
}

impl SqlStore {
    /// Insert `rec`; returns the rows affected. With [`OnConflict::Fail`], an
    /// existing id is [`StoreError::Duplicate`].
    pub(super) async fn insert_row<T: Keyed>(
        &self,
        conn: &mut sqlx::AnyConnection,
        rec: &T,
        on_conflict: OnConflict,
    ) -> StoreResult<u64> {
        let cols = rec.columns();
        let doc = rec.doc(self)?;
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=names.len() + 2).map(|i| format!("${i}")).collect();
        let conflict = match on_conflict {
            OnConflict::Fail => String::new(),
            OnConflict::Ignore => " ON CONFLICT (id) DO NOTHING".into(),
            OnConflict::Replace => format!(
                " ON CONFLICT (id) DO UPDATE SET {}doc = excluded.doc",
                names
                    .iter()
                    .map(|n| format!("{n} = excluded.{n}, "))
                    .collect::<String>()
            ),
        };
        let sql = format!(
            "INSERT INTO {} (id, {}doc) VALUES ({}){conflict}",
            T::TABLE,
            names.iter().map(|n| format!("{n}, ")).collect::<String>(),
            params.join(", "),
        );
        let mut q = sqlx::query(&sql).bind(rec.id());
        for (_, c) in cols {
            q = bind(q, c);
        }
        match q.bind(doc).execute(conn).await {
            Ok(r) => Ok(r.rows_affected()),
            Err(e)
                if on_conflict == OnConflict::Fail
                    && e.to_string().to_lowercase().contains("unique") =>
            {
                Err(StoreError::Duplicate(rec.id()))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    /// Insert or replace many records of one table, one statement per chunk of
    /// rows (key columns and documents written as [`Self::insert_row`] does).
    pub(super) async fn upsert_rows<T: Keyed>(
        &self,
        conn: &mut sqlx::AnyConnection,
        recs: &[&T],
    ) -> StoreResult<()> {
        for chunk in recs.chunks(200) {
            let Some(first) = chunk.first() else {
                continue;
            };
            let names: Vec<&str> = first.columns().iter().map(|(n, _)| *n).collect();
            let width = names.len() + 2;
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let ps: Vec<String> =
                        (1..=width).map(|i| format!("${}", r * width + i)).collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {} (id, {}doc) VALUES {} ON CONFLICT (id) DO UPDATE SET {}doc = excluded.doc",
                T::TABLE,
                names.iter().map(|n| format!("{n}, ")).collect::<String>(),
                rows.join(", "),
                names
                    .iter()
                    .map(|n| format!("{n} = excluded.{n}, "))
                    .collect::<String>()
            );
            let mut q = sqlx::query(&sql);
            for rec in chunk {
                q = q.bind(rec.id());
                for (_, c) in rec.columns() {
                    q = bind(q, c);
                }
                q = q.bind(rec.doc(self)?);
            }
            q.execute(&mut *conn).await.map_err(backend_err)?;
        }
        Ok(())
    }

    /// Rewrite the stored `rec` (key columns and document); returns the rows affected.
    pub(super) async fn update_row<T: Keyed>(
        &self,
        conn: &mut sqlx::AnyConnection,
        rec: &T,
    ) -> StoreResult<u64> {
        let cols = rec.columns();
        let sets: String = cols
            .iter()
            .enumerate()
            .map(|(i, (n, _))| format!("{n} = ${}, ", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {sets}doc = ${} WHERE id = ${}",
            T::TABLE,
            cols.len() + 1,
            cols.len() + 2
        );
        let doc = rec.doc(self)?;
        let mut q = sqlx::query(&sql);
        for (_, c) in cols {
            q = bind(q, c);
        }
        Ok(q.bind(doc)
            .bind(rec.id())
            .execute(conn)
            .await
            .map_err(backend_err)?
            .rows_affected())
    }
}

impl Keyed for Contact {
    const TABLE: &'static str = "contacts";
    fn id(&self) -> String {
        self.id.0.clone()
    }
    fn columns(&self) -> Vec<(&'static str, Col)> {
        vec![
            ("e164", Col::Text(self.e164.clone().map(String::from))),
            ("wa_id", Col::Text(self.wa_id.clone().map(String::from))),
            ("bsuid", Col::Text(self.bsuid.clone().map(String::from))),
            ("version", Col::Int(Some(self.version as i64))),
        ]
    }
}

impl Keyed for Conversation {
    const TABLE: &'static str = "conversations";
    fn id(&self) -> String {
        self.id.0.clone()
    }
    fn columns(&self) -> Vec<(&'static str, Col)> {
        vec![
            ("contact_id", Col::Text(Some(self.contact_id.0.clone()))),
            (
                "phone_number_id",
                Col::Text(Some(self.phone_number_id.0.clone())),
            ),
            (
                "agent_id",
                Col::Text(self.agent_id.as_ref().map(|a| a.0.clone())),
            ),
            ("status", Col::Text(Some(self.status.as_str().to_string()))),
            ("closed_at", Col::Int(self.closed_at)),
        ]
    }
}

impl Keyed for MessageRecord {
    const TABLE: &'static str = "messages";
    fn id(&self) -> String {
        self.id.0.clone()
    }
    fn columns(&self) -> Vec<(&'static str, Col)> {
        vec![
            (
                "conversation_id",
                Col::Text(self.conversation_id.as_ref().map(|c| c.0.clone())),
            ),
            (
                "contact_id",
                Col::Text(self.contact_id.as_ref().map(|c| c.0.clone())),
            ),
            ("created_at", Col::Int(Some(self.created_at))),
        ]
    }
    fn doc(&self, store: &SqlStore) -> StoreResult<String> {
        store.enc_msg(self)
    }
}
