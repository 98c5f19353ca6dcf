//! Node binding of wacrm: translation only. Errors carry the core's
//! `ErrorDetails` as JSON in their message prefix; `index.js` turns them into
//! `WacrmError` subclasses (async napi functions cannot carry custom codes).

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Prefix that marks a structured error payload in a napi error message.
const DETAILS_PREFIX: &str = "WACRM_ERROR_DETAILS:";

/// Convert a core error into a napi error whose message carries `ErrorDetails`.
pub(crate) fn to_napi_err(e: &wacrm::Error) -> Error {
    let json = serde_json::to_string(&e.details()).unwrap_or_else(|_| "{}".into());
    Error::new(Status::GenericFailure, format!("{DETAILS_PREFIX}{json}"))
}

/// Classify a Graph API error body; returns `ErrorDetails` as JSON, or null
/// when the body is not an error envelope.
#[napi]
pub fn graph_error_details(
    body: String,
    http_status: u32,
    retry_after_ms: Option<u32>,
) -> Option<String> {
    let graph = wacrm::GraphError::from_body(body.as_bytes())?;
    let err = wacrm::Error::from_graph(
        graph,
        http_status as u16,
        retry_after_ms.map(|ms| std::time::Duration::from_millis(ms as u64)),
    );
    Some(serde_json::to_string(&err.details()).unwrap_or_default())
}

/// Throw the classified error for a Graph API error body (sync path).
#[napi]
pub fn raise_graph_error(body: String, http_status: u32) -> Result<()> {
    match wacrm::GraphError::from_body(body.as_bytes()) {
        Some(g) => Err(to_napi_err(&wacrm::Error::from_graph(
            g,
            http_status as u16,
            None,
        ))),
        None => Ok(()),
    }
}

/// The stable error codes, in `ErrorKind` order.
#[napi]
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
#[napi]
pub fn phone_parse(input: String, region: Option<String>) -> Result<String> {
    wacrm::phone::parse(&input, region.as_deref())
        .map(|p| json(&p))
        .map_err(|e| to_napi_err(&e.into()))
}

/// Normalize many numbers on all cores; rows as JSON (bad rows carry `error`).
#[napi]
pub fn phone_normalize(inputs: Vec<String>, region: Option<String>) -> String {
    json(&wacrm::phone::normalize_lines(&inputs, region.as_deref()))
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[napi]
pub fn webhook_verify(app_secret: String, body: Buffer, signature: Option<String>) -> Result<()> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(|e| to_napi_err(&e))
}

/// Parse a webhook body into events (JSON list); never fails on unknown types.
#[napi]
pub fn webhook_parse(body: Buffer) -> Result<String> {
    wacrm::webhook::parse_body(&body)
        .map(|events| json(&events))
        .map_err(|e| to_napi_err(&e))
}
