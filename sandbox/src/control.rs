//! The control API under `/_sandbox/`: limits, faults, clock, inbound messages,
//! template review, webhook target, ledger and stats. Every route needs the
//! sandbox's access token as a bearer token, the same one the Graph routes take:
//! whoever reaches the control API can read every message and point webhooks
//! (with their signatures) anywhere. Media downloads need it too, as on Meta's CDN.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use crate::Faults;
use crate::access;
use crate::state::{InboundRequest, LimitsUpdate, State};

type S = AxState<Arc<State>>;

pub fn router(state: Arc<State>) -> Router {
    let control = Router::new()
        .route("/_sandbox/ledger", get(ledger).delete(clear_ledger))
        .route("/_sandbox/inbound", post(inbound))
        .route("/_sandbox/clock", get(clock).post(set_clock))
        .route("/_sandbox/limits", put(limits))
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/templates/{name}/status", put(template_status))
        .route("/_sandbox/numbers", post(add_number))
        .route("/_sandbox/webhook", put(set_webhook))
        .route("/_sandbox/webhook/verify", post(verify_webhook))
        .route("/_sandbox/webhooks", get(webhooks))
        .route("/_sandbox/stats", get(stats))
        .merge(crate::inspector::api_router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::control_auth,
        ));
    Router::new()
        .merge(control)
        .merge(crate::inspector::page_router())
        .route("/_sandbox/media/{id}/download", get(download))
        .with_state(state)
}

fn bad(msg: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": msg.into()})),
    )
        .into_response()
}

async fn ledger(AxState(s): S) -> Response {
    axum::Json(json!({"data": s.ledger()})).into_response()
}

async fn clear_ledger(AxState(s): S) -> Response {
    s.clear_ledger();
    axum::Json(json!({"success": true})).into_response()
}

async fn inbound(AxState(s): S, axum::Json(req): axum::Json<InboundRequest>) -> Response {
    match s.inbound(&req) {
        Ok(id) => axum::Json(json!({"id": id})).into_response(),
        Err(e) => bad(e),
    }
}

async fn clock(AxState(s): S) -> Response {
    axum::Json(json!({"now_ms": s.now_ms()})).into_response()
}

/// `{"advance_ms": N}` or `{"set_ms": EPOCH_MS}`.
async fn set_clock(AxState(s): S, axum::Json(v): axum::Json<Value>) -> Response {
    if let Some(ms) = v.get("advance_ms").and_then(Value::as_i64) {
        s.advance_clock(ms);
    } else if let Some(ms) = v.get("set_ms").and_then(Value::as_i64) {
        s.set_clock(ms);
    } else {
        return bad("give advance_ms or set_ms");
    }
    axum::Json(json!({"now_ms": s.now_ms()})).into_response()
}

async fn limits(AxState(s): S, axum::Json(v): axum::Json<Value>) -> Response {
    // Read as JSON first so a wrongly typed field is a 400 naming it.
    let u: LimitsUpdate = match serde_json::from_value(v.clone()) {
        Ok(u) => u,
        Err(e) => {
            let field = v.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, x)| {
                        serde_json::from_value::<LimitsUpdate>(json!({ k.as_str(): x })).is_err()
                    })
                    .map(|(k, _)| k.clone())
            });
            return bad(match field {
                Some(f) => format!("limits: {f}: {e}"),
                None => format!("limits: {e}"),
            });
        }
    };
    match s.update_limits(&u) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => bad(e),
    }
}

async fn get_faults(AxState(s): S) -> Response {
    axum::Json(s.faults()).into_response()
}

async fn put_faults(AxState(s): S, axum::Json(f): axum::Json<Faults>) -> Response {
    s.set_faults(f.clone());
    axum::Json(f).into_response()
}

/// `{"status": "APPROVED"|"PAUSED"|..., "language"?: "en_US"}`; posts a template status webhook.
async fn template_status(
    AxState(s): S,
    Path(name): Path<String>,
    axum::Json(v): axum::Json<Value>,
) -> Response {
    let Some(status) = v.get("status").and_then(Value::as_str) else {
        return bad("status is required");
    };
    match s.set_template_status(&name, v.get("language").and_then(Value::as_str), status) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => bad(e),
    }
}

async fn add_number(AxState(s): S, axum::Json(v): axum::Json<Value>) -> Response {
    let Some(id) = v.get("id").and_then(Value::as_str) else {
        return bad("id is required");
    };
    axum::Json(s.add_number(id, v.get("display_phone_number").and_then(Value::as_str)))
        .into_response()
}

async fn set_webhook(AxState(s): S, axum::Json(v): axum::Json<Value>) -> Response {
    let url = v.get("url").and_then(Value::as_str).map(str::to_string);
    s.set_webhook_url(url.clone());
    axum::Json(json!({"url": url})).into_response()
}

/// Run Meta's subscription handshake against the configured webhook URL.
async fn verify_webhook(AxState(s): S) -> Response {
    let Some(url) = s.webhook_url() else {
        return bad("no webhook url configured");
    };
    let challenge = format!("{}", rand::random::<u32>());
    let res = s
        .http
        .get(&url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", s.verify_token.as_str()),
            ("hub.challenge", challenge.as_str()),
        ])
        .send()
        .await;
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            axum::Json(json!({"verified": status == 200 && body == challenge, "status": status}))
                .into_response()
        }
        Err(e) => axum::Json(json!({"verified": false, "error": e.to_string()})).into_response(),
    }
}

async fn webhooks(AxState(s): S) -> Response {
    axum::Json(json!({"data": s.webhooks()})).into_response()
}

async fn stats(AxState(s): S) -> Response {
    axum::Json(s.stats()).into_response()
}

async fn download(AxState(s): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !access::bearer(&headers).is_some_and(|t| access::token_matches(t, &s.access_token)) {
        return (
            StatusCode::UNAUTHORIZED,
            "media downloads need the access token",
        )
            .into_response();
    }
    match s.media_bytes(&id) {
        Some((mime, bytes)) => ([("content-type", mime)], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "media not found").into_response(),
    }
}
