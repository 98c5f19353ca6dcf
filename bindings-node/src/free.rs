//! Functions without a handle: errors, phone numbers, webhooks, the outbox
//! message constructor and CSV dedupe.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm::scheduler::OutgoingMessage;
use wacrm::store::{Category, Lane};

use crate::convert::{from_js, from_js_or_default, js_error, js_result, promise, to_js};

/// Classify a Graph API error body; its `ErrorDetails`, or null when the body is
/// not an error envelope.
#[napi(ts_return_type = "T.ErrorDetails | null")]
pub fn graph_error_details(
    body: String,
    http_status: u32,
    retry_after_ms: Option<u32>,
) -> Option<Value> {
    let graph = wacrm::GraphError::from_body(body.as_bytes())?;
    let err = wacrm::Error::from_graph(
        graph,
        http_status as u16,
        retry_after_ms.map(|ms| std::time::Duration::from_millis(ms as u64)),
    );
    to_js(&err.details()).ok()
}

/// Throw the classified error for a Graph API error body (sync path).
#[napi]
pub fn raise_graph_error(env: Env, body: String, http_status: u32) -> Result<()> {
    match wacrm::GraphError::from_body(body.as_bytes()) {
        Some(g) => Err(js_error(
            &env,
            &wacrm::Error::from_graph(g, http_status as u16, None),
        )),
        None => Ok(()),
    }
}

/// The stable error codes, in `ErrorKind` order.
#[napi(ts_return_type = "T.ErrorCode[]")]
pub fn error_codes() -> Vec<String> {
    wacrm::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}

/// Parse one phone number with a default region.
#[napi(ts_return_type = "T.PhoneInfo")]
pub fn phone_parse(env: Env, input: String, region: Option<String>) -> Result<Value> {
    js_result(
        &env,
        wacrm::phone::parse(&input, region.as_deref()).map_err(wacrm::Error::from),
    )
}

/// Normalize many numbers on all cores (bad rows carry `error`).
#[napi(ts_return_type = "T.NormalizedRow[]")]
pub fn phone_normalize(env: Env, inputs: Vec<String>, region: Option<String>) -> Result<Value> {
    js_result(
        &env,
        Ok(wacrm::phone::normalize_lines(&inputs, region.as_deref())),
    )
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[napi]
pub fn webhook_verify(
    env: Env,
    app_secret: String,
    body: Buffer,
    signature: Option<String>,
) -> Result<()> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(|e| js_error(&env, &e))
}

/// Verify `X-Hub-Signature-256` and parse in one pass: no events unless the
/// signature matches.
#[napi(ts_return_type = "T.WebhookEvent[]")]
pub fn webhook_verify_and_parse(
    env: Env,
    app_secret: String,
    body: Buffer,
    signature: Option<String>,
) -> Result<Value> {
    let verifier = wacrm::webhook::SignatureVerifier::new(app_secret);
    js_result(
        &env,
        wacrm::webhook::verify_and_parse(&verifier, &body, signature.as_deref()),
    )
}

/// Parse a webhook body into events; never fails on unknown types.
#[napi(ts_return_type = "T.WebhookEvent[]")]
pub fn webhook_parse(env: Env, body: Buffer) -> Result<Value> {
    js_result(&env, wacrm::webhook::parse_body(&body))
}

/// How an outbox message is sent; every field is optional.
#[napi(object)]
pub struct OutgoingOptions {
    /// `utility` when absent.
    #[napi(ts_type = "T.Category")]
    pub category: Option<String>,
    /// Derived from the category when absent (marketing, reply for service, else notification).
    #[napi(ts_type = "T.Lane")]
    pub lane: Option<String>,
    pub campaign_id: Option<String>,
    /// Not before this time (ms since the epoch).
    pub not_before: Option<i64>,
    /// Dedupes the same business event across keys.
    pub event_key: Option<String>,
    pub promotion: Option<bool>,
    pub automated: Option<bool>,
}

fn outgoing_message(
    key: String,
    from: String,
    to: String,
    message: Value,
    o: OutgoingOptions,
) -> wacrm::Result<OutgoingMessage> {
    let category: Category = from_js(
        "category",
        Value::from(o.category.unwrap_or_else(|| "utility".into())),
    )?;
    let lane: Lane = match o.lane {
        Some(l) => from_js("lane", Value::from(l))?,
        None => match category {
            Category::Marketing => Lane::Marketing,
            Category::Service => Lane::Reply,
            _ => Lane::Notification,
        },
    };
    Ok(OutgoingMessage {
        idempotency_key: key.into(),
        phone_number_id: from.into(),
        recipient: to.into(),
        message: from_js("message", message)?,
        category,
        lane,
        campaign_id: o.campaign_id,
        not_before: o.not_before.unwrap_or(0),
        event_key: o.event_key,
        promotion: o.promotion.unwrap_or(false),
        automated: o.automated.unwrap_or(false),
    })
}

/// An outbox message; `key` is its idempotency key (enqueuing twice never sends twice).
#[napi(
    ts_args_type = "key: string, from: string, to: string, message: T.OutboundMessage, opts?: OutgoingOptions | undefined | null",
    ts_return_type = "T.OutgoingMessage"
)]
pub fn outgoing(
    env: Env,
    key: String,
    from: String,
    to: String,
    message: Value,
    opts: Option<OutgoingOptions>,
) -> Result<Value> {
    let o = opts.unwrap_or(OutgoingOptions {
        category: None,
        lane: None,
        campaign_id: None,
        not_before: None,
        event_key: None,
        promotion: None,
        automated: None,
    });
    js_result(&env, outgoing_message(key, from, to, message, o))
}

/// CSV files to dedupe (or link) and how to read and match them.
#[napi(object)]
pub struct DedupeCsvArgs {
    /// The CSV files.
    pub paths: Vec<String>,
    /// `COLUMN=FIELD` mappings.
    pub map: Vec<String>,
    /// The column holding a stable record id.
    pub id_column: Option<String>,
    /// Region for national-format phone numbers.
    pub region: Option<String>,
    /// Match the files against each other only (record linkage).
    pub link: Option<bool>,
    /// Matching settings; the defaults when absent.
    #[napi(ts_type = "Partial<T.DedupeConfig>")]
    pub config: Option<Value>,
}

/// Dedupe (or link) CSV files without a store; each file's bad rows are reported.
#[napi(ts_return_type = "Promise<T.DedupeCsvOutcome>")]
pub fn contacts_dedupe_csv<'env>(
    env: &'env Env,
    args: DedupeCsvArgs,
) -> Result<PromiseRaw<'env, Value>> {
    promise(env, async move {
        let args = wacrm_bindings_common::DedupeCsvArgs {
            paths: args.paths,
            map: args.map,
            id_column: args.id_column,
            region: args.region,
            link: args.link.unwrap_or(false),
            config: Some(from_js_or_default("config", args.config)?),
        };
        // Reading and matching is CPU work: keep it off the async workers.
        spawn_blocking(move || wacrm_bindings_common::dedupe_csv(args))
            .await
            .map_err(|e| wacrm::Error::Config(e.to_string()))?
    })
}
