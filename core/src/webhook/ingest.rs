//! The webhook endpoint that stores before it answers (feature `axum`):
//! verify the signature over the raw bytes, parse, apply the events to the
//! stores through a [`WebhookProcessor`] and only then answer 200. A store
//! failure answers 500 so Meta delivers again; processing is idempotent (by
//! message id and status) and monotone, so redeliveries and reordered
//! deliveries end in the same state. Use it where the events must be durable
//! before the acknowledgement; [`super::axum::WebhookEndpoint`] hands events
//! to a callback instead.
//!
//! Bodies that arrive together are committed together (group commit): one
//! task takes every body waiting, applies their events as one batch (a
//! campaign's statuses in a few round trips, see
//! [`crate::store::MessageStore::apply_statuses`]) and answers each request
//! after the commit. A batch that fails is retried body by body, so one bad
//! body gets its 500 alone.
//!
//! Serve it with `TCP_NODELAY` on the accepted sockets
//! (`axum::serve::ListenerExt::tap_io(listener, |t| { let _ = t.set_nodelay(true); })`):
//! the answer is one small write that otherwise may wait on Nagle's
//! algorithm; on loopback it measured 15 % more webhooks per second.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use tokio::sync::{mpsc, oneshot};

use super::{SignatureVerifier, WebhookEvent, WebhookProcessor, verify_subscription};

/// Bodies committed together at most.
const MAX_BODIES: usize = 256;

struct Ingest {
    verifier: SignatureVerifier,
    verify_token: String,
    processor: Arc<WebhookProcessor>,
    /// Started on the first delivery (the router may be built outside a runtime).
    committer: std::sync::OnceLock<mpsc::Sender<Job>>,
}

/// One delivery's events and where to send its outcome.
struct Job {
    events: Vec<WebhookEvent>,
    done: oneshot::Sender<crate::Result<()>>,
}

impl Ingest {
    fn committer(&self) -> &mpsc::Sender<Job> {
        self.committer.get_or_init(|| {
            let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BODIES);
            let processor = self.processor.clone();
            tokio::spawn(async move {
                let mut jobs = Vec::with_capacity(MAX_BODIES);
                while rx.recv_many(&mut jobs, MAX_BODIES).await > 0 {
                    // Let the requests already being read on this worker
                    // join the batch (a batch's round trips cost the same
                    // for one body or many): yield while each yield brings
                    // more, a few times at most.
                    for _ in 0..8 {
                        tokio::task::yield_now().await;
                        let before = jobs.len();
                        while jobs.len() < MAX_BODIES
                            && let Ok(j) = rx.try_recv()
                        {
                            jobs.push(j);
                        }
                        if jobs.len() == before || jobs.len() == MAX_BODIES {
                            break;
                        }
                    }
                    commit(&processor, std::mem::take(&mut jobs)).await;
                }
            });
            tx
        })
    }
}

/// Apply the jobs' events as one batch and answer each job; on failure,
/// retry job by job so only the failing ones are answered with the error.
async fn commit(processor: &WebhookProcessor, jobs: Vec<Job>) {
    if jobs.len() == 1 {
        for j in jobs {
            let r = processor.process(&j.events).await.map(|_| ());
            let _ = j.done.send(r);
        }
        return;
    }
    let mut all = Vec::new();
    let mut parts = Vec::with_capacity(jobs.len());
    for j in jobs {
        parts.push((all.len()..all.len() + j.events.len(), j.done));
        all.extend(j.events);
    }
    if processor.process(&all).await.is_ok() {
        for (_, done) in parts {
            let _ = done.send(Ok(()));
        }
        return;
    }
    // Processing is idempotent: the part of the batch that was stored is
    // found again as duplicates.
    for (range, done) in parts {
        let r = processor.process(&all[range]).await.map(|_| ());
        let _ = done.send(r);
    }
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
        committer: std::sync::OnceLock::new(),
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
    let (done, outcome) = oneshot::channel();
    let sent = st.committer().send(Job { events, done }).await;
    let result = match sent {
        Ok(()) => outcome
            .await
            .unwrap_or_else(|_| Err(crate::Error::Webhook("webhook committer stopped".into()))),
        Err(_) => Err(crate::Error::Webhook("webhook committer stopped".into())),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => {
            // Not stored: a 5xx makes Meta deliver again (idempotent).
            tracing::error!(error = %e, code = e.code(), "webhook not stored");
            (StatusCode::INTERNAL_SERVER_ERROR, e.code()).into_response()
        }
    }
}
