//! The inspector: a page at `/_sandbox/ui` that shows what the sandbox
//! accepted, refused and emitted, live, and drives the control API.
//!
//! The page itself (`ui/`) is static and carries no data, so it is served
//! without a token; everything it shows comes from `/_sandbox/events`, a
//! server-sent-event stream behind the control API's bearer token (the page
//! reads it with `fetch`, which can send the header — `EventSource` cannot, and
//! a token in a query string would land in logs and history).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State as AxState};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::Stream;
use parking_lot::Mutex;
use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use crate::state::State;
use crate::validate::Failure;

/// How many refused requests and emitted webhook bodies the page can replay.
const KEEP: usize = 2_000;

/// The page's content security policy: nothing but this origin, no inline code.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the inspector remembers beyond the ledger, and the live feed.
pub struct Log {
    feed: broadcast::Sender<(&'static str, String)>,
    closed: watch::Sender<bool>,
    rejections: Mutex<VecDeque<Value>>,
    emitted: Mutex<VecDeque<Value>>,
    /// Refusals per (phone number id, Graph code): pair-limit and throughput hits.
    hits: Mutex<HashMap<(String, i64), u64>>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            feed: broadcast::channel(1024).0,
            closed: watch::channel(false).0,
            rejections: Mutex::new(VecDeque::new()),
            emitted: Mutex::new(VecDeque::new()),
            hits: Mutex::new(HashMap::new()),
        }
    }
}

fn push_bounded(q: &mut VecDeque<Value>, v: Value) {
    if q.len() == KEEP {
        q.pop_front();
    }
    q.push_back(v);
}

impl Log {
    /// Send an event to open pages; the payload is only built when one listens.
    pub fn publish(&self, kind: &'static str, data: impl FnOnce() -> Value) {
        if self.feed.receiver_count() > 0 {
            let _ = self.feed.send((kind, data().to_string()));
        }
    }

    /// Remember a refused Graph request (`context`: path, number, request body).
    pub fn rejected(&self, f: &Failure, at_ms: i64, context: Value) {
        let number = context
            .get("phone_number_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(n) = number {
            *self.hits.lock().entry((n, f.code)).or_default() += 1;
        }
        let v = json!({"at_ms": at_ms, "http": f.http, "code": f.code, "subcode": f.subcode,
            "message": f.message, "details": f.details, "context": context});
        push_bounded(&mut self.rejections.lock(), v.clone());
        self.publish("rejected", || v);
    }

    /// Remember a webhook body at the moment it is emitted (before delivery).
    pub fn emitted(&self, body: &[u8], at_ms: i64) {
        let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let v = json!({"at_ms": at_ms, "body": parsed});
        push_bounded(&mut self.emitted.lock(), v.clone());
        self.publish("emitted", || v);
    }

    /// Refusals of one number with one Graph code.
    pub fn hits(&self, number: &str, code: i64) -> u64 {
        self.hits
            .lock()
            .get(&(number.to_string(), code))
            .copied()
            .unwrap_or(0)
    }

    /// Recent refusals, oldest first.
    pub fn rejections(&self) -> Vec<Value> {
        self.rejections.lock().iter().cloned().collect()
    }

    /// Recent emitted webhook bodies, oldest first.
    pub fn emitted_bodies(&self) -> Vec<Value> {
        self.emitted.lock().iter().cloned().collect()
    }

    /// End every open event stream (the server is shutting down).
    pub fn close(&self) {
        let _ = self.closed.send(true);
    }
}

/// Routes of the page (no token) and of its stream and actions (token).
pub fn page_router() -> Router<Arc<State>> {
    Router::new()
        .route("/_sandbox/ui", get(page))
        .route("/_sandbox/ui/", get(page))
        .route("/_sandbox/ui/app.js", get(script))
        .route("/_sandbox/ui/app.css", get(style))
}

/// Routes that need the token (merged under the control API's guard).
pub fn api_router() -> Router<Arc<State>> {
    Router::new()
        .route("/_sandbox/events", get(events))
        .route("/_sandbox/snapshot", get(snapshot))
        .route("/_sandbox/messages/{id}/status", post(set_status))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn page() -> Response {
    asset("text/html; charset=utf-8", include_str!("ui/index.html"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("ui/app.js"))
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("ui/app.css"))
}

async fn snapshot(AxState(s): AxState<Arc<State>>) -> Response {
    axum::Json(s.inspector_snapshot()).into_response()
}

/// `{"status": "delivered"|"read"|"failed", "code"?: 131026}`: emit that status
/// webhook for an accepted message, as if the customer's phone reported it.
async fn set_status(
    AxState(s): AxState<Arc<State>>,
    Path(id): Path<String>,
    axum::Json(v): axum::Json<Value>,
) -> Response {
    let status = v.get("status").and_then(Value::as_str).unwrap_or("");
    let code = v.get("code").and_then(Value::as_i64);
    match s.emit_status(&id, status, code) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, axum::Json(json!({"error": e}))).into_response(),
    }
}

struct Feed {
    state: Arc<State>,
    rx: broadcast::Receiver<(&'static str, String)>,
    closed: watch::Receiver<bool>,
    tick: tokio::time::Interval,
    started: bool,
}

/// A snapshot first, then every event as it happens and usage once a second.
/// Subscribing before the snapshot means nothing falls between the two (the
/// page drops what it already has); a lagging reader gets a fresh snapshot.
fn feed(state: Arc<State>) -> impl Stream<Item = Result<Event, Infallible>> {
    let rx = state.log.feed.subscribe();
    let closed = state.log.closed.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let start = Feed {
        state,
        rx,
        closed,
        tick,
        started: false,
    };
    futures::stream::unfold(start, |mut f| async move {
        if !f.started {
            f.started = true;
            f.tick.reset();
            let ev = Event::default()
                .event("snapshot")
                .data(f.state.inspector_snapshot().to_string());
            return Some((Ok(ev), f));
        }
        let ev = tokio::select! {
            r = f.rx.recv() => match r {
                Ok((kind, data)) => Event::default().event(kind).data(data),
                Err(broadcast::error::RecvError::Lagged(_)) => Event::default()
                    .event("snapshot")
                    .data(f.state.inspector_snapshot().to_string()),
                Err(broadcast::error::RecvError::Closed) => return None,
            },
            _ = f.tick.tick() => Event::default()
                .event("usage")
                .data(f.state.inspector_usage().to_string()),
            _ = f.closed.wait_for(|c| *c) => return None,
        };
        Some((Ok(ev), f))
    })
}

async fn events(AxState(s): AxState<Arc<State>>) -> Response {
    let mut r = Sse::new(feed(s))
        .keep_alive(KeepAlive::default())
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    r
}
