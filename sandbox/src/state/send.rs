//! `POST /{phone_number_id}/messages`: one send, as named steps — admit the
//! number's and the pair's rate, check the template, apply the 24 h window and
//! the messaging-limit tier, record the accepted message in the ledger, plan its
//! status webhooks, and apply the webhook faults.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

use super::{Inner, LedgerEntry, State, TemplateRec, canonical_wa_id};
use crate::limits::{Bucket, DAY_MS};
use crate::validate::{self, Checked, Failure, Recip, TemplateUse};
use crate::webhook;
use crate::{Faults, IdempotencyMode, StatusDelays, TierAnswer, WindowMode};

/// Who a send goes to, in the forms the answer and the webhooks need.
struct Target {
    /// `to` as sent.
    to: String,
    /// Canonical key for windows, pairs and the tier (wa_id or BSUID).
    key: String,
    wa_id: Option<String>,
    user_id: Option<String>,
}

impl Target {
    fn of(r: &Recip) -> Target {
        match r {
            Recip::Phone { input, digits } => {
                let w = canonical_wa_id(digits);
                Target {
                    to: input.clone(),
                    key: w.clone(),
                    wa_id: Some(w),
                    user_id: None,
                }
            }
            Recip::Bsuid(b) => Target {
                to: b.clone(),
                key: b.clone(),
                wa_id: None,
                user_id: Some(b.clone()),
            },
        }
    }

    /// `recipient_id` or `recipient_user_id` on a status, `wa_id` or `user_id` on a contact.
    fn tag(&self, v: &mut Value, wa_field: &str, user_field: &str) {
        match (&self.wa_id, &self.user_id) {
            (Some(w), _) => v[wa_field] = json!(w),
            (None, Some(u)) => v[user_field] = json!(u),
            _ => {}
        }
    }
}

/// What the window and tier step decided for an admitted send.
struct Admission {
    in_window: bool,
    /// Accepted, then failed with this code by a status webhook.
    fail_code: Option<i64>,
}

fn unknown_number(number_id: &str) -> Failure {
    let mut f = Failure::new(
        400,
        100,
        "Unsupported post request",
        format!("Object with ID '{number_id}' does not exist"),
    );
    f.subcode = Some(33);
    f
}

/// Number throughput (130429), then the pair rate (131056); both in real time.
fn admit_rate(g: &mut Inner, number_id: &str, key: &str) -> Result<(), Failure> {
    let now = Instant::now();
    let n = g
        .numbers
        .get_mut(number_id)
        .ok_or_else(|| unknown_number(number_id))?;
    let limits = n.cfg.limits.clone();
    if !n.bucket.try_take(limits.mps.max(1.0), limits.mps, now) {
        return Err(Failure::new(
            429,
            130429,
            "Rate limit hit",
            format!(
                "Cloud API message throughput of {} messages per second has been reached",
                limits.mps
            ),
        ));
    }
    let pair_rate = 1000.0 / limits.pair_interval_ms as f64;
    let pair = n
        .pairs
        .entry(key.to_string())
        .or_insert_with(|| Bucket::full(limits.pair_burst));
    if !pair.try_take(limits.pair_burst, pair_rate, now) {
        return Err(Failure::new(
            400,
            131056,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time",
        ));
    }
    Ok(())
}

/// The template must exist in that language, be approved and get the right
/// parameters. Answers the pricing category (`service` without a template).
fn check_template(templates: &[TemplateRec], t: Option<&TemplateUse>) -> Result<String, Failure> {
    let Some(t) = t else {
        return Ok("service".into());
    };
    let rec = templates
        .iter()
        .find(|r| r.name == t.name && r.language == t.language)
        .ok_or_else(|| {
            Failure::new(
                404,
                132001,
                "Template name does not exist in the translation",
                format!(
                    "template name ({}) does not exist in {}",
                    t.name, t.language
                ),
            )
        })?;
    match rec.status.as_str() {
        "APPROVED" => {}
        "PAUSED" => {
            return Err(Failure::new(
                400,
                132015,
                "Template is paused",
                "template paused for low quality",
            ));
        }
        "DISABLED" => {
            return Err(Failure::new(
                400,
                132016,
                "Template is disabled",
                "template disabled",
            ));
        }
        other => {
            return Err(Failure::new(
                404,
                132001,
                "Template name does not exist in the translation",
                format!("template {} is {other}, not approved", t.name),
            ));
        }
    }
    let expected = rec.body_placeholders();
    if expected.len() != t.body_params {
        return Err(Failure::new(
            400,
            132000,
            "Number of parameters does not match the expected number of params",
            format!(
                "body: number of localizable_params ({}) does not match the expected number of params ({})",
                t.body_params,
                expected.len()
            ),
        ));
    }
    if rec.parameter_format == "NAMED" {
        let mut given = t.named.clone();
        given.sort();
        let mut want = expected.clone();
        want.sort();
        if given != want {
            return Err(Failure::new(
                400,
                100,
                "Invalid parameter",
                "Parameter name is missing or empty, or does not match the template",
            ));
        }
    }
    Ok(rec.category.to_ascii_lowercase())
}

/// The 24 h customer-service window (free-form only inside it), the portfolio
/// tier (unique recipients outside a window) and unreachable recipients.
fn window_and_tier(
    g: &mut Inner,
    number_id: &str,
    target: &Target,
    is_template: bool,
    now_ms: i64,
) -> Result<Admission, Failure> {
    let in_window = g
        .windows
        .get(&(number_id.to_string(), target.key.clone()))
        .is_some_and(|t| *t > now_ms - DAY_MS);
    let mut fail_code = None;
    if !in_window && !is_template {
        match g.window_mode {
            WindowMode::Sync => {
                return Err(Failure::new(
                    400,
                    131047,
                    "Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                ));
            }
            WindowMode::FailedStatus => fail_code = Some(131047),
        }
    }
    if fail_code.is_none() && !in_window {
        let cap = g.tier.cap();
        if !g.tier_window.admit(&target.key, cap, now_ms) {
            match g.tier_answer.clone() {
                TierAnswer::Sync { code } => {
                    return Err(Failure::new(
                        400,
                        code,
                        "Messaging limit reached",
                        format!(
                            "the business portfolio reached its limit of {} unique recipients in 24 hours",
                            cap.unwrap_or(0)
                        ),
                    ));
                }
                TierAnswer::FailedStatus { code } => fail_code = Some(code),
            }
        }
    }
    if fail_code.is_none()
        && target
            .wa_id
            .as_ref()
            .is_some_and(|w| g.unreachable.contains(w))
    {
        fail_code = Some(131026);
    }
    Ok(Admission {
        in_window,
        fail_code,
    })
}

/// The status ladder of one accepted message, each with its delay: `failed`
/// alone, or `sent`, `delivered` and (for the share that is read) `read`.
/// Every status carries the request's `biz_opaque_callback_data`, as Meta's do.
#[allow(clippy::too_many_arguments)]
fn plan_statuses(
    id: &str,
    target: &Target,
    callback: Option<&Value>,
    category: &str,
    adm: &Admission,
    delays: &StatusDelays,
    now_ms: i64,
) -> Vec<(Value, u64)> {
    let pricing_type = if adm.in_window {
        "free_customer_service"
    } else {
        "regular"
    };
    let status = |s: &str, delay: u64| {
        let ts = now_ms + delay as i64;
        let mut v = json!({"id": id, "status": s, "timestamp": (ts / 1000).to_string()});
        target.tag(&mut v, "recipient_id", "recipient_user_id");
        if let Some(cb) = callback {
            v["biz_opaque_callback_data"] = cb.clone();
        }
        if s != "failed" {
            v["pricing"] = json!({"billable": pricing_type == "regular", "pricing_model": "PMP",
                "type": pricing_type, "category": category});
        }
        (v, delay)
    };
    let Some(code) = adm.fail_code else {
        let mut plan = vec![
            status("sent", delays.sent_ms),
            status("delivered", delays.delivered_ms),
        ];
        if rand::rng().random_bool(delays.read_rate.clamp(0.0, 1.0)) {
            plan.push(status("read", delays.read_ms));
        }
        return plan;
    };
    let (mut f, delay) = status("failed", delays.sent_ms);
    let (title, details) = match code {
        131047 => (
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        131026 => (
            "Message undeliverable",
            "Unable to deliver message. The recipient may not be on WhatsApp.",
        ),
        _ => (
            "Messaging limit reached",
            "The business portfolio reached its messaging limit.",
        ),
    };
    f["errors"] = json!([{"code": code, "title": title, "message": title,
        "error_data": {"details": details}, "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]);
    vec![(f, delay)]
}

/// Webhook faults: the whole ladder reversed for a share of messages, and a
/// share of deliveries posted twice.
fn apply_faults(mut plan: Vec<(Value, u64)>, faults: &Faults) -> Vec<(Value, u64, bool)> {
    let mut rng = rand::rng();
    if plan.len() > 1 && rng.random_bool(faults.out_of_order_rate.clamp(0.0, 1.0)) {
        // Deliver the ladder backwards: read first, sent last.
        let mut ds: Vec<u64> = plan.iter().map(|p| p.1).collect();
        ds.reverse();
        for (p, d) in plan.iter_mut().zip(ds) {
            p.1 = d;
        }
    }
    plan.into_iter()
        .map(|(s, d)| {
            let dup = rng.random_bool(faults.duplicate_webhook_rate.clamp(0.0, 1.0));
            (s, d, dup)
        })
        .collect()
}

impl State {
    /// Handle a send or mark-as-read. `Ok` carries the response body.
    pub fn send(
        self: &Arc<Self>,
        number_id: &str,
        body: &Value,
        idempotency_key: Option<String>,
    ) -> Result<Value, Failure> {
        let checked = validate::check(body)?;
        let now_ms = self.now_ms();
        let mut g = self.inner.lock();
        if !g.numbers.contains_key(number_id) {
            return Err(unknown_number(number_id));
        }
        let (recipient, msg_type, template) = match checked {
            Checked::MarkRead { message_id } => {
                if !message_id.starts_with("wamid.") {
                    return Err(Failure::invalid(format!(
                        "message_id {message_id:?} is not a message id"
                    )));
                }
                return Ok(json!({"success": true}));
            }
            Checked::Send {
                recipient,
                msg_type,
                template,
            } => (recipient, msg_type, template),
        };
        // Only in replay mode is a retried request (same number, same key)
        // answered with the first response; Meta ignores the header.
        if g.idempotency == IdempotencyMode::Replay
            && let Some(k) = &idempotency_key
            && let Some(first) = g.replays.get(&(number_id.to_string(), k.clone())).cloned()
        {
            g.replayed += 1;
            return Ok(first);
        }
        let target = Target::of(&recipient);
        admit_rate(&mut g, number_id, &target.key)?;
        let category = check_template(&g.templates, template.as_ref())?;
        let adm = window_and_tier(&mut g, number_id, &target, template.is_some(), now_ms)?;

        let id = self.next_id("wamid.");
        let callback = body.get("biz_opaque_callback_data").cloned();
        let response = record(
            &mut g,
            LedgerEntry {
                // Numbered by `record`, in ledger order.
                seq: 0,
                id: id.clone(),
                phone_number_id: number_id.to_string(),
                to: target.to.clone(),
                recipient: target.key.clone(),
                msg_type,
                body: body.clone(),
                idempotency_key,
                callback_data: callback
                    .as_ref()
                    .and_then(Value::as_str)
                    .map(str::to_string),
                accepted_at_ms: now_ms,
                outcome: adm
                    .fail_code
                    .map(|c| format!("failed:{c}"))
                    .unwrap_or_else(|| "accepted".into()),
            },
            &target,
            template.is_some(),
        );
        let display = g.numbers[number_id].cfg.display_phone_number.clone();
        let delays = g.delays.clone();
        let faults = g.faults.clone();
        drop(g);

        let plan = plan_statuses(
            &id,
            &target,
            callback.as_ref(),
            &category,
            &adm,
            &delays,
            now_ms,
        );
        for (s, delay, dup) in apply_faults(plan, &faults) {
            let bytes = self.webhook_body(number_id, &display, json!({"statuses": [s]}));
            webhook::deliver(self.clone(), bytes.clone(), Duration::from_millis(delay));
            if dup {
                webhook::deliver(self.clone(), bytes, Duration::from_millis(delay + 3));
            }
        }
        Ok(response)
    }
}

/// Append the accepted message to the ledger and build the answer (kept for
/// replays of its `Idempotency-Key` in replay mode).
fn record(g: &mut Inner, mut entry: LedgerEntry, target: &Target, is_template: bool) -> Value {
    entry.seq = g.ledger.len() as u64 + 1;
    let mut contact = json!({"input": target.to});
    target.tag(&mut contact, "wa_id", "user_id");
    let mut message = json!({"id": entry.id});
    if is_template {
        message["message_status"] = json!("accepted");
    }
    let response =
        json!({"messaging_product": "whatsapp", "contacts": [contact], "messages": [message]});
    if g.idempotency == IdempotencyMode::Replay
        && let Some(k) = &entry.idempotency_key
    {
        g.replays
            .insert((entry.phone_number_id.clone(), k.clone()), response.clone());
    }
    g.ledger.push(entry);
    response
}
