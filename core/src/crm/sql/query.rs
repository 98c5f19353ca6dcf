//! SQL text for the table connector: identifier checks and quoting, the
//! select list, and the classification of driver errors.
//!
//! Table and column names come from configuration, so they are never pasted
//! into SQL unchecked: each must be a plain identifier (optionally
//! schema-qualified) and is double-quoted, which SQLite and PostgreSQL both
//! read as an identifier. Values always travel as bound parameters.

use crate::{Error, Result};

/// `name` double-quoted for SQL, each dotted part checked to be a plain
/// identifier (`[A-Za-z_][A-Za-z0-9_]*`).
pub(super) fn quote_ident(name: &str) -> Result<String> {
    let mut out = Vec::new();
    for part in name.split('.') {
        let mut chars = part.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(Error::Config(format!(
                "sql connector: {name:?} is not a plain identifier (letters, digits and _)"
            )));
        }
        out.push(format!("\"{part}\""));
    }
    Ok(out.join("."))
}

/// The quoted names and SQL fragments a connector reuses.
#[derive(Debug)]
pub(super) struct Sql {
    /// Quoted table name.
    pub table: String,
    /// The id column as text (comparable and orderable the same way everywhere).
    pub id_text: String,
    /// The updated-at column as milliseconds (NULL read as 0).
    pub updated: String,
    /// The updated-at column as written.
    pub updated_col: String,
    /// Quoted property columns, in configuration order (write targets).
    pub columns: Vec<String>,
    /// The same, qualified by the table (for reading and matching).
    pub qualified: Vec<String>,
    /// `SELECT` list: id, updated-at, then every property column as text.
    pub select: String,
}

impl Sql {
    pub(super) fn new(
        table: &str,
        id_column: &str,
        updated_column: &str,
        properties: &[String],
    ) -> Result<Sql> {
        let table = quote_ident(table)?;
        // Columns are read qualified by the table: SQLite takes an unknown
        // bare "name" for a string literal, but not an unknown "t"."name".
        let q = |c: &str| quote_ident(c).map(|c| format!("{table}.{c}"));
        let id = q(id_column)?;
        let updated_col = quote_ident(updated_column)?;
        let updated = format!("COALESCE(CAST({} AS BIGINT), 0)", q(updated_column)?);
        let columns = properties
            .iter()
            .map(|p| quote_ident(p))
            .collect::<Result<Vec<_>>>()?;
        let qualified = properties
            .iter()
            .map(|p| q(p))
            .collect::<Result<Vec<_>>>()?;
        let id_text = format!("CAST({id} AS TEXT)");
        let mut select = format!("{id_text}, {updated}");
        for c in &qualified {
            select.push_str(&format!(", CAST({c} AS TEXT)"));
        }
        Ok(Sql {
            table,
            id_text,
            updated,
            updated_col,
            columns,
            qualified,
            select,
        })
    }
}

/// How a driver error is handled.
pub(super) enum Failure {
    /// The database refused this record (a constraint, a bad value): the
    /// record is rejected with this code, the rest of the batch goes on.
    Record { code: &'static str, message: String },
    /// Another unique row won a race to the same key: match again.
    Unique(String),
    /// Nothing is known about the call; `retryable` says whether trying
    /// again may succeed.
    Call(Error),
}

/// Classify a driver error; `url` is masked out of every message.
pub(super) fn classify(e: sqlx::Error, url: &str) -> Failure {
    let message = crate::store::redact_in(&e.to_string(), url);
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => return Failure::Unique(message),
            sqlx::error::ErrorKind::Other => {}
            // Check, not-null and foreign-key violations.
            _ => {
                return Failure::Record {
                    code: "CONSTRAINT_VIOLATION",
                    message,
                };
            }
        }
        // PostgreSQL data exceptions (class 22: a value the column's type refuses).
        if code.starts_with("22") {
            return Failure::Record {
                code: "INVALID_VALUE",
                message,
            };
        }
        // Serialization failure, deadlock, shutdown: the call may succeed again.
        let transient = matches!(code.as_str(), "40001" | "40P01" | "57P01" | "57P03")
            || message.contains("database is locked");
        return Failure::Call(Error::Store {
            message,
            retryable: transient,
        });
    }
    let retryable = matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    );
    Failure::Call(Error::Store { message, retryable })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_and_quoted() {
        assert_eq!(quote_ident("contacts").unwrap(), "\"contacts\"");
        assert_eq!(quote_ident("crm.people").unwrap(), "\"crm\".\"people\"");
        assert_eq!(quote_ident("_a1").unwrap(), "\"_a1\"");
        for bad in ["", "1a", "a b", "a\"b", "a;drop table x", "a.", ".a", "é"] {
            assert!(quote_ident(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn select_list_reads_every_column_as_text() {
        let s = Sql::new("t", "id", "updated_at", &["email".into(), "city".into()]).unwrap();
        assert_eq!(
            s.select,
            "CAST(\"t\".\"id\" AS TEXT), COALESCE(CAST(\"t\".\"updated_at\" AS BIGINT), 0), \
             CAST(\"t\".\"email\" AS TEXT), CAST(\"t\".\"city\" AS TEXT)"
        );
        assert!(Sql::new("t", "id", "u", &["bad name".into()]).is_err());
    }
}
