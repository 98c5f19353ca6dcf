//! Swift binding of wacrm (uniffi). Translation only: the core's
//! `ErrorDetails` becomes a Swift error enum with one case per kind, each case
//! carrying the same fields.

// Error cases carry the ErrorDetails fields inline so Swift sees them as associated
// values; boxing them would hide the fields from foreign code.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

/// `ErrorDetails` as a record.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ErrorInfo {
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

impl From<wacrm::ErrorDetails> for ErrorInfo {
    fn from(d: wacrm::ErrorDetails) -> Self {
        ErrorInfo {
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
    ($($variant:ident => $kind:ident),* $(,)?) => {
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

        impl From<wacrm::Error> for WacrmError {
            fn from(e: wacrm::Error) -> Self {
                let d = e.details();
                let info = ErrorInfo::from(d.clone());
                match d.kind {
                    $(wacrm::ErrorKind::$kind => WacrmError::$variant {
                        code: info.code,
                        message: info.message,
                        graph_code: info.graph_code,
                        graph_subcode: info.graph_subcode,
                        graph_details: info.graph_details,
                        fbtrace_id: info.fbtrace_id,
                        http_status: info.http_status,
                        retryable: info.retryable,
                        retry_after_ms: info.retry_after_ms,
                    },)*
                    _ => WacrmError::Unknown {
                        code: info.code,
                        message: info.message,
                        graph_code: info.graph_code,
                        graph_subcode: info.graph_subcode,
                        graph_details: info.graph_details,
                        fbtrace_id: info.fbtrace_id,
                        http_status: info.http_status,
                        retryable: info.retryable,
                        retry_after_ms: info.retry_after_ms,
                    },
                }
            }
        }
    };
}

error_enum! {
    Auth => Auth,
    RateLimited => RateLimited,
    PairRateLimited => PairRateLimited,
    OutsideWindow => OutsideWindow,
    Template => Template,
    RecipientInvalid => RecipientInvalid,
    PolicyBlock => PolicyBlock,
    Transient => Transient,
    Validation => Validation,
    Network => Network,
    Store => Store,
    Config => Config,
    Webhook => Webhook,
    Unknown => Unknown,
}

/// Classify a Graph API error body; `None` when it is not an error envelope.
#[uniffi::export]
pub fn graph_error_details(body: String, http_status: u16) -> Option<ErrorInfo> {
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

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Parse one phone number with a default region; returns `PhoneInfo` as JSON.
#[uniffi::export]
pub fn phone_parse(input: String, region: Option<String>) -> Result<String, WacrmError> {
    wacrm::phone::parse(&input, region.as_deref())
        .map(|p| json(&p))
        .map_err(|e| wacrm::Error::from(e).into())
}

/// Normalize many numbers on all cores; rows as JSON (bad rows carry `error`).
#[uniffi::export]
pub fn phone_normalize(inputs: Vec<String>, region: Option<String>) -> String {
    json(&wacrm::phone::normalize_lines(&inputs, region.as_deref()))
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[uniffi::export]
pub fn webhook_verify(
    app_secret: String,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<(), WacrmError> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(Into::into)
}

/// Parse a webhook body into events (JSON list); never fails on unknown types.
#[uniffi::export]
pub fn webhook_parse(body: Vec<u8>) -> Result<String, WacrmError> {
    wacrm::webhook::parse_body(&body)
        .map(|e| json(&e))
        .map_err(Into::into)
}
