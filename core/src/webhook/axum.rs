//! A ready axum webhook endpoint: GET answers the subscription handshake, POST
//! verifies the signature over the raw bytes, parses, hands the events to your
//! callback and answers 200 at once; a bad signature gets 401.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{SignatureVerifier, WebhookEvent, verify_subscription};

/// Receives parsed events; runs on the request task, so hand off slow work.
pub type EventSink = Arc<dyn Fn(Vec<WebhookEvent>) + Send + Sync>;

/// Configuration of the endpoint.
#[derive(Clone)]
pub struct WebhookEndpoint {
    /// Signature checker (app secret).
    pub verifier: SignatureVerifier,
    /// Verify token of the subscription handshake.
    pub verify_token: String,
    /// Where events go.
    pub sink: EventSink,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookEndpoint { .. }")
    }
}

impl WebhookEndpoint {
    /// Events go to a tokio channel.
    pub fn with_channel(
        app_secret: &str,
        verify_token: &str,
        tx: tokio::sync::mpsc::UnboundedSender<Vec<WebhookEvent>>,
    ) -> Self {
        WebhookEndpoint {
            verifier: SignatureVerifier::new(app_secret),
            verify_token: verify_token.to_string(),
            sink: Arc::new(move |events| {
                let _ = tx.send(events);
            }),
        }
    }

    /// Events go to `callback` (called on the request task: hand slow work off).
    pub fn with_callback(
        verifier: SignatureVerifier,
        verify_token: &str,
        callback: impl Fn(Vec<WebhookEvent>) + Send + Sync + 'static,
    ) -> Self {
        WebhookEndpoint {
            verifier,
            verify_token: verify_token.to_string(),
            sink: Arc::new(callback),
        }
    }

    /// A router serving the endpoint at `path`.
    pub fn router(self, path: &str) -> Router {
        Router::new()
            .route(path, get(handshake).post(receive))
            .with_state(Arc::new(self))
    }
}

async fn handshake(
    State(ep): State<Arc<WebhookEndpoint>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match verify_subscription(
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
        &ep.verify_token,
    ) {
        Ok(challenge) => (StatusCode::OK, challenge).into_response(),
        Err(e) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    }
}

async fn receive(
    State(ep): State<Arc<WebhookEndpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let parsed = match super::verify_then_parse(&ep.verifier, body, sig) {
        Ok(parsed) => parsed,
        Err(problem) => {
            let e = problem.into_error();
            tracing::warn!(error = %e, "webhook rejected");
            return (StatusCode::UNAUTHORIZED, e.to_string()).into_response();
        }
    };
    match parsed {
        Ok(events) => {
            (ep.sink)(events);
            StatusCode::OK.into_response()
        }
        // Not JSON at all: Meta would retry forever, so acknowledge and log.
        Err(e) => {
            tracing::warn!(error = %e, "webhook body is not JSON");
            (StatusCode::OK, "ignored: not JSON").into_response()
        }
    }
}
