//! C2: webhooks. Verification (subscription handshake, `X-Hub-Signature-256`
//! over the raw bytes), typed parsing of every message and status type that
//! never fails a whole body on one odd entry, and idempotent, monotone
//! processing into the stores. Every change `field` Meta documents is typed
//! (calls, template, number and account updates, coexistence sync); any
//! other stays an `Unknown` event with its raw JSON. A ready axum handler is
//! behind feature `axum`.

mod account;
#[cfg(feature = "axum")]
pub mod axum;
mod fields;
pub(crate) mod identity;
#[cfg(feature = "axum")]
pub mod ingest;
mod parse;
mod process;
mod pull;
mod raw;
mod scan;
mod types;
mod verify;

pub use account::*;
pub use parse::{Path, parse_body, parse_bytes, parse_with};
pub use process::{NewInbound, ProcessReport, WebhookProcessor};
pub use types::*;
pub use verify::{SignatureProblem, SignatureVerifier, verify_subscription};

/// Verify the signature and parse, in one pass over the body: the parser
/// hashes the body as it reads it, and no event is returned unless the
/// signature matches (a signature problem is reported before any parse
/// problem). The one call a webhook endpoint needs.
pub fn verify_and_parse(
    verifier: &SignatureVerifier,
    body: &[u8],
    signature_header: Option<&str>,
) -> crate::Result<Vec<WebhookEvent>> {
    verify_and_parse_bytes(
        verifier,
        bytes::Bytes::copy_from_slice(body),
        signature_header,
    )
}

/// [`verify_and_parse`] over bytes the caller already holds: the events share
/// them instead of copying the body.
pub fn verify_and_parse_bytes(
    verifier: &SignatureVerifier,
    body: bytes::Bytes,
    signature_header: Option<&str>,
) -> crate::Result<Vec<WebhookEvent>> {
    verify_then_parse(verifier, body, signature_header).map_err(SignatureProblem::into_error)?
}

/// [`verify_and_parse_bytes`] with the signature's problem apart from the
/// body's (an endpoint answers 401 to one and 200 to the other).
fn verify_then_parse(
    verifier: &SignatureVerifier,
    body: bytes::Bytes,
    signature_header: Option<&str>,
) -> Result<crate::Result<Vec<WebhookEvent>>, SignatureProblem> {
    let checked = SignatureVerifier::expected(signature_header)
        .and_then(|expected| parse::parse_signed(body, verifier, &expected));
    if checked.is_err() {
        crate::metrics::webhook_signature_failure();
    }
    checked
}
