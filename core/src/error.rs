//! The one error type of wacrm, its stable classification and the plain
//! [`ErrorDetails`] record every binding maps 1:1.
//!
//! Graph API error codes are classified from Meta's error-code table (see the
//! README "Errors" section). Classification serves both the synchronous
//! response path and errors that arrive asynchronously in status webhooks, so
//! it works on a bare [`GraphError`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in a handful of classes a caller can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Token missing, expired or without permission (0, 3, 10, 190, 200–299, 131005).
    Auth,
    /// Number, app or WABA throughput limit (4, 17, 80007, 130429, 133016).
    RateLimited,
    /// Too many messages to one recipient in a short time (131056).
    PairRateLimited,
    /// Free-form message outside the 24-hour customer-service window (131047).
    OutsideWindow,
    /// Template missing, unapproved, paused or called with wrong parameters (132xxx).
    Template,
    /// Recipient cannot receive the message (131026, 131030, 131050, 137000, ...).
    RecipientInvalid,
    /// Meta's policy or quality systems held the message (368, 131048, 131049, ...).
    PolicyBlock,
    /// Temporary server trouble worth retrying (1, 2, 131000, 131016, 5xx).
    Transient,
    /// The request was malformed or rejected before sending (local or Graph 100/131008/131009).
    Validation,
    /// The network failed before a response arrived.
    Network,
    /// A store adapter failed.
    Store,
    /// Configuration is missing or wrong.
    Config,
    /// A webhook could not be verified.
    Webhook,
    /// The acting user's role does not grant the action (C13); never retryable.
    Forbidden,
    /// Anything else.
    Unknown,
}

impl ErrorKind {
    /// Stable machine-readable code, identical in every binding.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Auth => "AUTH",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::PairRateLimited => "PAIR_RATE_LIMITED",
            ErrorKind::OutsideWindow => "OUTSIDE_WINDOW",
            ErrorKind::Template => "TEMPLATE",
            ErrorKind::RecipientInvalid => "RECIPIENT_INVALID",
            ErrorKind::PolicyBlock => "POLICY_BLOCK",
            ErrorKind::Transient => "TRANSIENT",
            ErrorKind::Validation => "VALIDATION",
            ErrorKind::Network => "NETWORK",
            ErrorKind::Store => "STORE",
            ErrorKind::Config => "CONFIG",
            ErrorKind::Webhook => "WEBHOOK",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::Unknown => "UNKNOWN",
        }
    }

    /// Every kind, for tables and bindings.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::Auth,
        ErrorKind::RateLimited,
        ErrorKind::PairRateLimited,
        ErrorKind::OutsideWindow,
        ErrorKind::Template,
        ErrorKind::RecipientInvalid,
        ErrorKind::PolicyBlock,
        ErrorKind::Transient,
        ErrorKind::Validation,
        ErrorKind::Network,
        ErrorKind::Store,
        ErrorKind::Config,
        ErrorKind::Webhook,
        ErrorKind::Forbidden,
        ErrorKind::Unknown,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The Graph API error envelope (`{"error": {...}}`), also used for the
/// `errors[]` objects of webhooks (which carry `title` instead of `type`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    /// Numeric error code, e.g. 131056.
    #[serde(default)]
    pub code: i64,
    /// `error_subcode`, e.g. 463 for an expired session.
    #[serde(
        default,
        rename = "error_subcode",
        skip_serializing_if = "Option::is_none"
    )]
    pub subcode: Option<i64>,
    /// Human-readable message (Meta says titles in `message` will be deprecated).
    #[serde(default)]
    pub message: String,
    /// `type`, e.g. `OAuthException`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// `title` (webhook error objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `error_data.details`; may arrive as a string or inside an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    /// Trace id for Meta support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
    /// `is_transient` hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    /// `error_user_title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// `error_user_msg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// `href` to documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// `error_data`: Meta sends either `{"details": "..."}` or a bare string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorData {
    /// Object form.
    Object {
        /// `details` text.
        #[serde(default)]
        details: Option<String>,
        /// `messaging_product`, usually `whatsapp`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        messaging_product: Option<String>,
    },
    /// Bare string form.
    Text(String),
}

impl GraphError {
    /// `error_data.details` whichever form it came in.
    pub fn details(&self) -> Option<&str> {
        match &self.error_data {
            Some(ErrorData::Object { details, .. }) => details.as_deref(),
            Some(ErrorData::Text(s)) => Some(s.as_str()),
            None => None,
        }
    }

    /// Parse a whole response body `{"error": {...}}`.
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        #[derive(Deserialize)]
        struct Envelope {
            error: GraphError,
        }
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error)
    }

    /// Classify by code (and HTTP status where the code says little).
    pub fn classify(&self, http_status: Option<u16>) -> ErrorKind {
        classify_code(self.code, http_status, self.is_transient)
    }
}

/// Classification table (Meta's error-code page; see README "Errors").
pub fn classify_code(code: i64, http_status: Option<u16>, is_transient: Option<bool>) -> ErrorKind {
    match code {
        0 | 3 | 10 | 190 | 131005 => ErrorKind::Auth,
        200..=299 => ErrorKind::Auth,
        4 | 17 | 80007 | 130429 | 133016 => ErrorKind::RateLimited,
        131056 => ErrorKind::PairRateLimited,
        131047 => ErrorKind::OutsideWindow,
        132000..=132999 => ErrorKind::Template,
        131026 | 131030 | 131050 | 131021 | 137000 | 131062 | 133010 => ErrorKind::RecipientInvalid,
        368 | 130472 | 130497 | 131031 | 131048 | 131049 | 131063 | 131064 | 131042 | 131037 => {
            ErrorKind::PolicyBlock
        }
        1 | 2 | 131000 | 131016 | 131057 | 133004 => ErrorKind::Transient,
        100 | 131008 | 131009 | 131051 | 131052 | 131053 | 135000 => ErrorKind::Validation,
        _ => match (http_status, is_transient) {
            (_, Some(true)) => ErrorKind::Transient,
            (Some(s), _) if s >= 500 => ErrorKind::Transient,
            (Some(429), _) => ErrorKind::RateLimited,
            (Some(401), _) => ErrorKind::Auth,
            _ => ErrorKind::Unknown,
        },
    }
}

/// Suggested wait for a throttling code when the server gave no `Retry-After`.
pub fn default_wait_for_code(code: i64) -> Option<Duration> {
    match code {
        130429 => Some(Duration::from_secs(1)),
        131056 => Some(Duration::from_secs(6)),
        80007 | 4 | 17 => Some(Duration::from_secs(60)),
        133016 => Some(Duration::from_secs(300)),
        131057 => Some(Duration::from_secs(60)),
        1 | 2 | 131000 | 131016 | 133004 => Some(Duration::from_secs(1)),
        _ => None,
    }
}

/// Whether to retry and after how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryAdvice {
    /// Worth retrying the same request.
    pub retryable: bool,
    /// Suggested wait before the retry.
    pub after: Option<Duration>,
}

impl RetryAdvice {
    /// Do not retry.
    pub const NO: RetryAdvice = RetryAdvice {
        retryable: false,
        after: None,
    };
}

/// The one error type of wacrm.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Graph API answered with an error envelope.
    #[error("graph api error {} ({}): {}", graph.code, kind.code(), graph.message)]
    Api {
        /// Classification.
        kind: ErrorKind,
        /// The parsed envelope.
        graph: Box<GraphError>,
        /// HTTP status of the response.
        http_status: u16,
        /// `Retry-After` or a code-based suggestion.
        retry_after: Option<Duration>,
    },
    /// An HTTP error without a Graph envelope (e.g. a proxy's 502 page).
    #[error("http {status}: {body}")]
    Http {
        /// HTTP status.
        status: u16,
        /// First bytes of the body.
        body: String,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// The network failed before a response arrived.
    #[error("network: {0}")]
    Network(Arc<reqwest::Error>),
    /// A response did not decode.
    #[error("invalid response json: {message} (raw: {raw})")]
    Decode {
        /// Decoder message.
        message: String,
        /// First bytes of the raw body.
        raw: String,
    },
    /// Local validation failed before anything was sent.
    #[error("validation: {field}: {message}")]
    Validation {
        /// Which field (dotted path) broke a rule.
        field: String,
        /// What rule.
        message: String,
    },
    /// A webhook failed verification.
    #[error("webhook: {0}")]
    Webhook(String),
    /// A store adapter failed.
    #[error("store: {message}")]
    Store {
        /// What failed.
        message: String,
        /// Whether the operation may succeed if retried.
        retryable: bool,
    },
    /// Configuration missing or wrong.
    #[error("config: {0}")]
    Config(String),
    /// A policy held a message back (scheduler); never a silent drop.
    #[error("held by policy: {0}")]
    PolicyHeld(String),
    /// The acting user lacks a permission or the object is outside their scope (C13).
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl Error {
    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Build from a Graph envelope.
    pub fn from_graph(graph: GraphError, http_status: u16, retry_after: Option<Duration>) -> Self {
        let kind = graph.classify(Some(http_status));
        let retry_after = retry_after.or_else(|| default_wait_for_code(graph.code));
        Error::Api {
            kind,
            graph: Box::new(graph),
            http_status,
            retry_after,
        }
    }

    /// The class of the error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } => *kind,
            Error::Http { status, .. } => match *status {
                429 => ErrorKind::RateLimited,
                401 | 403 => ErrorKind::Auth,
                s if s >= 500 => ErrorKind::Transient,
                _ => ErrorKind::Unknown,
            },
            Error::Network(_) => ErrorKind::Network,
            Error::Decode { .. } => ErrorKind::Unknown,
            Error::Validation { .. } => ErrorKind::Validation,
            Error::Webhook(_) => ErrorKind::Webhook,
            Error::Store { .. } => ErrorKind::Store,
            Error::Config(_) => ErrorKind::Config,
            Error::PolicyHeld(_) => ErrorKind::PolicyBlock,
            Error::Forbidden(_) => ErrorKind::Forbidden,
        }
    }

    /// Stable code string ("RATE_LIMITED", ...), the same in every binding.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The Graph envelope, when the API sent one.
    pub fn graph(&self) -> Option<&GraphError> {
        match self {
            Error::Api { graph, .. } => Some(graph),
            _ => None,
        }
    }

    /// HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api { http_status, .. } => Some(*http_status),
            Error::Http { status, .. } => Some(*status),
            Error::Network(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// Retry advice: transient, network and throttling errors are retryable.
    pub fn retry(&self) -> RetryAdvice {
        let after = match self {
            Error::Api { retry_after, .. } | Error::Http { retry_after, .. } => *retry_after,
            _ => None,
        };
        match self {
            Error::Store { retryable, .. } => RetryAdvice {
                retryable: *retryable,
                after: None,
            },
            _ => match self.kind() {
                ErrorKind::RateLimited
                | ErrorKind::PairRateLimited
                | ErrorKind::Transient
                | ErrorKind::Network => RetryAdvice {
                    retryable: true,
                    after,
                },
                _ => RetryAdvice::NO,
            },
        }
    }

    /// Plain record for bindings and JSON output.
    pub fn details(&self) -> ErrorDetails {
        let graph = self.graph();
        let retry = self.retry();
        ErrorDetails {
            kind: self.kind(),
            code: self.code().to_string(),
            message: self.to_string(),
            graph_code: graph.map(|g| g.code),
            graph_subcode: graph.and_then(|g| g.subcode),
            graph_details: graph.and_then(|g| g.details().map(str::to_string)),
            fbtrace_id: graph.and_then(|g| g.fbtrace_id.clone()),
            http_status: self.http_status(),
            retryable: retry.retryable,
            retry_after_ms: retry.after.map(|d| d.as_millis() as u64),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Decode {
            message: e.to_string(),
            raw: String::new(),
        }
    }
}

/// A flat, language-neutral view of an [`Error`]. Every binding maps this 1:1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// Error class.
    pub kind: ErrorKind,
    /// Stable code string of the kind.
    pub code: String,
    /// Human-readable message (never contains secrets).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_named_codes() {
        let cases = [
            (190, ErrorKind::Auth),
            (0, ErrorKind::Auth),
            (130429, ErrorKind::RateLimited),
            (80007, ErrorKind::RateLimited),
            (131056, ErrorKind::PairRateLimited),
            (131047, ErrorKind::OutsideWindow),
            (132000, ErrorKind::Template),
            (132001, ErrorKind::Template),
            (131026, ErrorKind::RecipientInvalid),
            (368, ErrorKind::PolicyBlock),
            (131049, ErrorKind::PolicyBlock),
            (131000, ErrorKind::Transient),
            (2, ErrorKind::Transient),
            (100, ErrorKind::Validation),
        ];
        for (code, kind) in cases {
            assert_eq!(classify_code(code, Some(400), None), kind, "code {code}");
        }
        assert_eq!(
            classify_code(999_999, Some(503), None),
            ErrorKind::Transient
        );
        assert_eq!(classify_code(999_999, Some(400), None), ErrorKind::Unknown);
    }

    #[test]
    fn parses_envelope_with_both_error_data_forms() {
        let body = br#"{"error":{"message":"(#131056) pair rate limit hit","type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp","details":"too many"},"fbtrace_id":"A4O5"}}"#;
        let g = GraphError::from_body(body).unwrap();
        assert_eq!(g.code, 131056);
        assert_eq!(g.details(), Some("too many"));
        let body2 =
            br#"{"error":{"message":"x","code":100,"error_subcode":33,"error_data":"bare"}}"#;
        let g2 = GraphError::from_body(body2).unwrap();
        assert_eq!(g2.subcode, Some(33));
        assert_eq!(g2.details(), Some("bare"));
    }

    #[test]
    fn retry_advice_and_details() {
        let g = GraphError {
            code: 131056,
            message: "pair".into(),
            fbtrace_id: Some("T".into()),
            ..Default::default()
        };
        let e = Error::from_graph(g, 400, None);
        assert_eq!(e.code(), "PAIR_RATE_LIMITED");
        let r = e.retry();
        assert!(r.retryable);
        assert_eq!(r.after, Some(Duration::from_secs(6)));
        let d = e.details();
        assert_eq!(d.graph_code, Some(131056));
        assert_eq!(d.fbtrace_id.as_deref(), Some("T"));
        assert_eq!(d.retry_after_ms, Some(6000));

        let auth = Error::from_graph(
            GraphError {
                code: 190,
                ..Default::default()
            },
            401,
            None,
        );
        assert!(!auth.retry().retryable);
        assert!(!Error::validation("text.body", "too long").retry().retryable);
    }

    #[test]
    fn every_kind_has_a_distinct_code() {
        let mut codes: Vec<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }
}
