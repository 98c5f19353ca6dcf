//! The webhook endpoint that stores before it answers (feature `axum`):
//! verify the signature over the raw bytes, parse, apply the events to the
//! stores through a [`WebhookProcessor`] and only then answer 200. A store
//! failure answers 500 so Meta delivers again; processing is idempotent (by
//! message id and status) and monotone, so redeliveries and reordered
//! deliveries end in the same state. Use it where the events must be durable
//! before the acknowledgement; [`super::axum::WebhookEndpoint`] hands events
//! to a callback instead.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{SignatureVerifier, WebhookProcessor, verify_subscription};

struct Ingest {
    verifier: SignatureVerifier,
    verify_token: String,
    processor: Arc<WebhookProcessor>,
}

/// A router serving the storing endpoint at `path` (GET: the subscription
/// handshake; POST: verify, store, 200).
pub fn storing_router(
    verifier: SignatureVerifier,
    verify_token: &str,
    processor: Arc<WebhookProcessor>,
    path: &str,
) -> Router {
    let state = Arc::new(Ingest {
        verifier,
        verify_token: verify_token.to_string(),
        processor,
    });
    Router::new()
        .route(path, get(handshake).post(receive))
        .with_state(state)
}

async fn handshake(
    State(st): State<Arc<Ingest>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match verify_subscription(
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
        &st.verify_token,
    ) {
        Ok(challenge) => (StatusCode::OK, challenge).into_response(),
        Err(e) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    }
}

async fn receive(State(st): State<Arc<Ingest>>, headers: HeaderMap, body: Bytes) -> Response {
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let events = match super::verify_then_parse(&st.verifier, body, sig) {
        Ok(Ok(events)) => events,
        Ok(Err(e)) => {
            // Not JSON at all: Meta would retry forever, so acknowledge and log.
            tracing::warn!(error = %e, "webhook body is not JSON");
            return (StatusCode::OK, "ignored: not JSON").into_response();
        }
        Err(problem) => {
            let e = problem.into_error();
            tracing::warn!(error = %e, "webhook rejected");
            return (StatusCode::UNAUTHORIZED, e.to_string()).into_response();
        }
    };
    match st.processor.process(&events).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            // Not stored: a 5xx makes Meta deliver again (idempotent).
            tracing::error!(error = %e, code = e.code(), "webhook not stored");
            (StatusCode::INTERNAL_SERVER_ERROR, e.code()).into_response()
        }
    }
}
