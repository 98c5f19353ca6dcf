//! Graph API routes (`/{version}/...`) with bearer auth and runtime faults.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rand::Rng;
use serde_json::{Value, json};

use crate::state::{MAX_MEDIA_BYTES, State, media_kind};
use crate::validate::Failure;

type S = AxState<Arc<State>>;

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/{version}/{id}", get(get_object).delete(delete_object))
        .route(
            "/{version}/{id}/{edge}",
            get(get_edge).post(post_edge).delete(delete_edge),
        )
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        // axum's 2 MiB default would refuse media Meta accepts; JSON bodies keep
        // their own 4 MiB bound in `read_json`, uploads their per-kind one in `upload`.
        .layer(DefaultBodyLimit::max(MAX_MEDIA_BYTES + (1 << 20)))
        .with_state(state)
}

fn trace_id() -> String {
    let mut rng = rand::rng();
    (0..11)
        .map(|_| {
            let c = rng.random_range(0..62u8);
            (match c {
                0..=9 => b'0' + c,
                10..=35 => b'A' + c - 10,
                _ => b'a' + c - 36,
            }) as char
        })
        .collect()
}

pub fn failure_response(state: &State, f: &Failure) -> Response {
    failure_with(state, f, json!({}))
}

/// A Graph error answer, remembered for the inspector with what was asked
/// (`context`: path, sending number, request body).
pub fn failure_with(state: &State, f: &Failure, context: Value) -> Response {
    state.count_error(f.code);
    state.log.rejected(f, state.now_ms(), context);
    let status = StatusCode::from_u16(f.http).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (status, axum::Json(f.envelope(&trace_id()))).into_response();
    if f.http == 429 {
        resp.headers_mut()
            .insert("retry-after", "1".parse().expect("static header"));
    }
    resp
}

/// The object id of `/{version}/{id}/...`, the sending number on a send.
fn number_of(path: &str) -> Option<&str> {
    path.trim_start_matches('/').split('/').nth(1)
}

fn valid_version(v: &str) -> bool {
    v.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

/// Drop the connection without an answer (a panic in the connection task closes it;
/// `resume_unwind` skips the panic hook, so nothing is printed).
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("sandbox fault: dropped connection"))
}

/// Version check, bearer auth and faults for every Graph route.
async fn guard(AxState(state): S, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let version = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if !valid_version(version) {
        return failure_with(
            &state,
            &Failure::new(
                400,
                2500,
                "Unknown path components",
                format!("{version:?} is not a Graph API version"),
            ),
            json!({"path": path}),
        );
    }
    let auth_given = req.headers().contains_key("authorization");
    let ok = crate::access::bearer(req.headers())
        .is_some_and(|t| crate::access::token_matches(t, &state.access_token));
    if !ok {
        let mut f = Failure::new(
            401,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            "the access token is invalid or missing",
        );
        if !auth_given {
            f.message =
                "An active access token must be used to query information about the current user."
                    .into();
        }
        return failure_with(&state, &f, json!({"path": path}));
    }
    let faults = state.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let (drop_now, fail_now) = {
        let mut rng = rand::rng();
        (
            rng.random_bool(faults.drop_rate.clamp(0.0, 1.0)),
            rng.random_bool(faults.error_rate.clamp(0.0, 1.0)),
        )
    };
    if drop_now {
        drop_connection();
    }
    if fail_now {
        return failure_with(
            &state,
            &Failure::new(500, 131000, "Something went wrong", "injected server error"),
            json!({"path": path, "phone_number_id": number_of(&path)}),
        );
    }
    next.run(req).await
}

async fn get_object(AxState(state): S, Path((_v, id)): Path<(String, String)>) -> Response {
    if let Some(n) = state.number_json(&id) {
        return axum::Json(n).into_response();
    }
    if let Some(m) = state.media_json(&id) {
        return axum::Json(m).into_response();
    }
    not_found(&state, &id, "get")
}

async fn delete_object(AxState(state): S, Path((_v, id)): Path<(String, String)>) -> Response {
    if state.delete_media(&id) {
        return axum::Json(json!({"success": true})).into_response();
    }
    not_found(&state, &id, "delete")
}

fn not_found(state: &State, id: &str, verb: &str) -> Response {
    let mut f = Failure::new(
        400,
        100,
        format!("Unsupported {verb} request"),
        format!(
            "Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        ),
    );
    f.subcode = Some(33);
    failure_response(state, &f)
}

async fn get_edge(
    AxState(state): S,
    Path((_v, id, edge)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match edge.as_str() {
        "message_templates" if id == state.waba_id => {
            axum::Json(state.list_templates(&q)).into_response()
        }
        "phone_numbers" if id == state.waba_id => axum::Json(state.list_numbers()).into_response(),
        "whatsapp_business_profile" => match state.profile(&id) {
            Some(p) => axum::Json(p).into_response(),
            None => not_found(&state, &id, "get"),
        },
        _ => not_found(&state, &id, "get"),
    }
}

async fn delete_edge(
    AxState(state): S,
    Path((_v, id, edge)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if edge != "message_templates" || id != state.waba_id {
        return not_found(&state, &id, "delete");
    }
    let Some(name) = q.get("name") else {
        return failure_response(&state, &Failure::missing("name is required"));
    };
    match state.delete_template(name, q.get("hsm_id").map(String::as_str)) {
        Ok(v) => axum::Json(v).into_response(),
        Err(f) => failure_response(&state, &f),
    }
}

async fn post_edge(
    AxState(state): S,
    Path((version, id, edge)): Path<(String, String, String)>,
    headers: HeaderMap,
    req: Request,
) -> Response {
    match edge.as_str() {
        "messages" => {
            let body = match read_json(req).await {
                Ok(v) => v,
                Err(f) => return failure_response(&state, &f),
            };
            let key = headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            match state.send(&id, &body, key) {
                Ok(v) => {
                    if let Some(wamid) = v["messages"][0]["id"].as_str() {
                        state.log.publish("message", || {
                            serde_json::to_value(state.ledger_entry(wamid)).unwrap_or_default()
                        });
                    }
                    let drop_after = rand::rng()
                        .random_bool(state.faults().drop_after_accept_rate.clamp(0.0, 1.0));
                    if drop_after && body.get("status").is_none() {
                        drop_connection();
                    }
                    axum::Json(v).into_response()
                }
                Err(f) => failure_with(
                    &state,
                    &f,
                    json!({"path": format!("/{version}/{id}/messages"), "phone_number_id": id, "request": body}),
                ),
            }
        }
        "media" => {
            if !state.has_number(&id) {
                return not_found(&state, &id, "post");
            }
            let mp = match Multipart::from_request_checked(req).await {
                Ok(m) => m,
                Err(f) => return failure_response(&state, &f),
            };
            upload(state, mp).await
        }
        "message_templates" if id == state.waba_id => match read_json(req).await {
            Ok(v) => match state.create_template(&v) {
                Ok(r) => axum::Json(r).into_response(),
                Err(f) => failure_response(&state, &f),
            },
            Err(f) => failure_response(&state, &f),
        },
        "whatsapp_business_profile" => match read_json(req).await {
            Ok(v) => match state.update_profile(&id, &v) {
                Ok(r) => axum::Json(r).into_response(),
                Err(f) => failure_response(&state, &f),
            },
            Err(f) => failure_response(&state, &f),
        },
        _ => not_found(&state, &id, "post"),
    }
}

async fn read_json(req: Request) -> Result<Value, Failure> {
    let bytes: Bytes = axum::body::to_bytes(req.into_body(), 4 << 20)
        .await
        .map_err(|e| {
            Failure::new(
                400,
                100,
                "Invalid parameter",
                format!("cannot read body: {e}"),
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new(
            400,
            100,
            "Invalid parameter",
            format!("body is not valid JSON: {e}"),
        )
    })
}

trait FromRequestChecked: Sized {
    async fn from_request_checked(req: Request) -> Result<Self, Failure>;
}

impl FromRequestChecked for Multipart {
    async fn from_request_checked(req: Request) -> Result<Self, Failure> {
        use axum::extract::FromRequest;
        Multipart::from_request(req, &()).await.map_err(|e| {
            Failure::new(
                400,
                100,
                "Invalid parameter",
                format!("expected multipart/form-data: {e}"),
            )
        })
    }
}

async fn upload(state: Arc<State>, mut mp: Multipart) -> Response {
    let mut product = None;
    let mut declared_type = None;
    let mut file: Option<(Option<String>, Bytes)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(mut field)) => {
                let name = field.name().unwrap_or("").to_string();
                let ct = field.content_type().map(str::to_string);
                // Stop reading as soon as the file is past its kind's limit (the
                // declared type when it came first, else the part's own type).
                let cap = match name.as_str() {
                    "file" => declared_type
                        .as_deref()
                        .or(ct.as_deref())
                        .map_or(MAX_MEDIA_BYTES, |m| media_kind(m).1),
                    _ => 64 << 10,
                };
                let mut data = bytes::BytesMut::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            if data.len() + c.len() > cap {
                                return failure_response(
                                    &state,
                                    &Failure::new(
                                        400,
                                        131053,
                                        "Media upload error",
                                        format!("{name} is larger than {cap} bytes"),
                                    ),
                                );
                            }
                            data.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            return failure_response(
                                &state,
                                &Failure::new(400, 131053, "Media upload error", e.to_string()),
                            );
                        }
                    }
                }
                let data = data.freeze();
                match name.as_str() {
                    "messaging_product" => {
                        product = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    "type" => declared_type = Some(String::from_utf8_lossy(&data).into_owned()),
                    "file" => file = Some((ct, data)),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                return failure_response(
                    &state,
                    &Failure::new(400, 100, "Invalid parameter", e.to_string()),
                );
            }
        }
    }
    if product.as_deref() != Some("whatsapp") {
        return failure_response(
            &state,
            &Failure::missing("messaging_product must be \"whatsapp\""),
        );
    }
    let Some((part_type, data)) = file else {
        return failure_response(&state, &Failure::missing("file is required"));
    };
    let Some(mime) = declared_type.or(part_type) else {
        return failure_response(&state, &Failure::missing("type is required"));
    };
    match state.store_media(&mime, data) {
        Ok(id) => axum::Json(json!({"id": id})).into_response(),
        Err(f) => failure_response(&state, &f),
    }
}
