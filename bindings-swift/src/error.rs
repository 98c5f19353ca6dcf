//! Errors: the core's `ErrorDetails` becomes a Swift error enum with one case
//! per kind, each case carrying the same fields, plus the `ErrorDetails` record.

/// What went wrong, as the core reports it (`wacrm::ErrorDetails`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ErrorDetails {
    /// Stable code string ("RATE_LIMITED", ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Graph `code`.
    pub graph_code: Option<i64>,
    /// Graph `error_subcode`.
    pub graph_subcode: Option<i64>,
    /// Graph `error_data.details`.
    pub graph_details: Option<String>,
    /// Graph `fbtrace_id`.
    pub fbtrace_id: Option<String>,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// Worth retrying.
    pub retryable: bool,
    /// Suggested wait in milliseconds.
    pub retry_after_ms: Option<u64>,
}

impl From<wacrm::ErrorDetails> for ErrorDetails {
    fn from(d: wacrm::ErrorDetails) -> Self {
        ErrorDetails {
            code: d.code,
            message: d.message,
            graph_code: d.graph_code,
            graph_subcode: d.graph_subcode,
            graph_details: d.graph_details,
            fbtrace_id: d.fbtrace_id,
            http_status: d.http_status,
            retryable: d.retryable,
            retry_after_ms: d.retry_after_ms,
        }
    }
}

macro_rules! error_enum {
    ($($variant:ident),* $(,)?) => {
        /// Every wacrm failure, one case per error kind.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum WacrmError {
            $(
                #[allow(missing_docs)]
                #[error("{message}")]
                $variant {
                    code: String,
                    message: String,
                    graph_code: Option<i64>,
                    graph_subcode: Option<i64>,
                    graph_details: Option<String>,
                    fbtrace_id: Option<String>,
                    http_status: Option<u16>,
                    retryable: bool,
                    retry_after_ms: Option<u64>,
                },
            )*
        }

        impl WacrmError {
            fn with(kind: wacrm::ErrorKind, d: ErrorDetails) -> Self {
                let ErrorDetails {
                    code, message, graph_code, graph_subcode, graph_details,
                    fbtrace_id, http_status, retryable, retry_after_ms,
                } = d;
                match kind {
                    $(wacrm::ErrorKind::$variant => WacrmError::$variant {
                        code, message, graph_code, graph_subcode, graph_details,
                        fbtrace_id, http_status, retryable, retry_after_ms,
                    },)*
                    // A kind added to the core later still reaches Swift, as Unknown.
                    _ => WacrmError::Unknown {
                        code, message, graph_code, graph_subcode, graph_details,
                        fbtrace_id, http_status, retryable, retry_after_ms,
                    },
                }
            }
        }
    };
}

error_enum! {
    Auth, RateLimited, PairRateLimited, OutsideWindow, Template, RecipientInvalid,
    PolicyBlock, Transient, Validation, Network, Store, Config, Webhook, Forbidden, Unknown,
}

impl From<wacrm::Error> for WacrmError {
    fn from(e: wacrm::Error) -> Self {
        let d = e.details();
        WacrmError::with(d.kind, d.into())
    }
}

/// Classify a Graph API error body; `None` when it is not an error envelope.
#[uniffi::export]
pub fn graph_error_details(body: String, http_status: u16) -> Option<ErrorDetails> {
    let g = wacrm::GraphError::from_body(body.as_bytes())?;
    Some(
        wacrm::Error::from_graph(g, http_status, None)
            .details()
            .into(),
    )
}

/// Throw the classified error for a Graph API error body.
#[uniffi::export]
pub fn raise_graph_error(body: String, http_status: u16) -> Result<(), WacrmError> {
    match wacrm::GraphError::from_body(body.as_bytes()) {
        Some(g) => Err(wacrm::Error::from_graph(g, http_status, None).into()),
        None => Ok(()),
    }
}

/// The stable error codes, in `ErrorKind` order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    wacrm::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}

impl ErrorDetails {
    /// Back to the core's type (a stored message's or outbox item's error);
    /// fails on a code no `ErrorKind` has.
    pub(crate) fn into_core(self) -> wacrm::Result<wacrm::ErrorDetails> {
        let kind = wacrm::ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == self.code)
            .ok_or_else(|| {
                wacrm::Error::validation("code", format!("{:?} is not an error code", self.code))
            })?;
        Ok(wacrm::ErrorDetails {
            kind,
            code: self.code,
            message: self.message,
            graph_code: self.graph_code,
            graph_subcode: self.graph_subcode,
            graph_details: self.graph_details,
            fbtrace_id: self.fbtrace_id,
            http_status: self.http_status,
            retryable: self.retryable,
            retry_after_ms: self.retry_after_ms,
        })
    }
}
