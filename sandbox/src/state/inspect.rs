//! Read-outs of the state for the inspector page, and the statuses the page
//! can make the simulated customer's phone report.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{DAY_MS, LedgerEntry, State, TemplateRec};
use crate::{Tier, webhook};

/// How much history a page gets when it connects.
const SNAPSHOT_LEDGER: usize = 2_000;
const SNAPSHOT_WEBHOOKS: usize = 500;
/// Bound on the ledger scan for "messages in the last second".
const RATE_SCAN: usize = 20_000;

fn tier_name(t: Tier) -> &'static str {
    match t {
        Tier::Tier250 => "TIER_250",
        Tier::Tier2k => "TIER_2K",
        Tier::Tier10k => "TIER_10K",
        Tier::Tier100k => "TIER_100K",
        Tier::Unlimited => "TIER_UNLIMITED",
    }
}

impl State {
    /// One accepted message by wamid (newest first: the page asks for recent ones).
    pub fn ledger_entry(&self, id: &str) -> Option<LedgerEntry> {
        self.inner
            .lock()
            .ledger
            .iter()
            .rev()
            .find(|l| l.id == id)
            .cloned()
    }

    /// Limits and usage: per number the rate of the last second against its
    /// limit and its refusals; the tier's unique recipients; every customer's
    /// 24 h window; faults and the webhook target.
    pub fn inspector_usage(&self) -> Value {
        let mut g = self.inner.lock();
        let now = super::wall_ms() + g.clock_offset_ms;
        let mut recent: std::collections::HashMap<&str, u64> = Default::default();
        for l in g.ledger.iter().rev().take(RATE_SCAN) {
            if l.accepted_at_ms <= now - 1000 {
                break;
            }
            if l.accepted_at_ms <= now {
                *recent.entry(l.phone_number_id.as_str()).or_default() += 1;
            }
        }
        let numbers: Vec<Value> = g
            .numbers
            .values()
            .map(|n| {
                let id = n.cfg.id.as_str();
                json!({"id": id, "display_phone_number": n.cfg.display_phone_number,
                    "verified_name": n.cfg.verified_name, "limits": n.cfg.limits,
                    "mps_now": recent.get(id).copied().unwrap_or(0),
                    "pair_limit_hits": self.log.hits(id, 131056),
                    "throughput_hits": self.log.hits(id, 130429)})
            })
            .collect();
        drop(recent);
        let mut windows: Vec<Value> = g
            .windows
            .iter()
            .map(|((number, customer), last)| {
                json!({"phone_number_id": number, "customer": customer, "last_inbound_ms": last,
                    "open_until_ms": last + DAY_MS, "open": *last > now - DAY_MS})
            })
            .collect();
        windows.sort_by(|a, b| {
            (a["phone_number_id"].as_str(), a["customer"].as_str())
                .cmp(&(b["phone_number_id"].as_str(), b["customer"].as_str()))
        });
        let unique = g.tier_window.unique(now);
        json!({"now_ms": now, "numbers": numbers, "windows": windows,
            "tier": tier_name(g.tier), "tier_cap": g.tier.cap(), "tier_unique_recipients": unique,
            "tier_answer": g.tier_answer, "window_mode": g.window_mode,
            "faults": g.faults, "webhook_url": g.webhook_url, "accepted": g.ledger.len()})
    }

    /// Everything a page needs when it connects: recent messages, what was
    /// emitted for them, refusals, deliveries, templates and usage.
    pub fn inspector_snapshot(&self) -> Value {
        let usage = self.inspector_usage();
        let g = self.inner.lock();
        let skip = g.ledger.len().saturating_sub(SNAPSHOT_LEDGER);
        let ledger: Vec<&LedgerEntry> = g.ledger.iter().skip(skip).collect();
        let skip = g.webhooks.len().saturating_sub(SNAPSHOT_WEBHOOKS);
        let webhooks: Vec<_> = g.webhooks.iter().skip(skip).collect();
        let templates: Vec<Value> = g.templates.iter().map(TemplateRec::to_json).collect();
        json!({"ledger": ledger, "webhooks": webhooks, "templates": templates,
            "emitted": self.log.emitted_bodies(), "rejections": self.log.rejections(),
            "usage": usage})
    }

    /// Emit a status webhook for an accepted message, as the customer's phone
    /// would: `delivered`, `read`, or `failed` with a Graph code (131026 when
    /// none is given). A failure also marks the ledger entry `failed:<code>`.
    pub fn emit_status(
        self: &Arc<Self>,
        id: &str,
        status: &str,
        code: Option<i64>,
    ) -> Result<Value, String> {
        if !matches!(status, "sent" | "delivered" | "read" | "failed") {
            return Err(format!(
                "status {status:?}: use sent, delivered, read or failed"
            ));
        }
        let now = self.now_ms();
        let mut g = self.inner.lock();
        let entry = g
            .ledger
            .iter_mut()
            .rev()
            .find(|l| l.id == id)
            .ok_or_else(|| format!("no accepted message {id}"))?;
        let code = code.unwrap_or(131026);
        if status == "failed" {
            entry.outcome = format!("failed:{code}");
        }
        let number = entry.phone_number_id.clone();
        let recipient = entry.recipient.clone();
        let callback = entry.body.get("biz_opaque_callback_data").cloned();
        let display = g
            .numbers
            .get(&number)
            .map(|n| n.cfg.display_phone_number.clone())
            .unwrap_or_default();
        drop(g);
        let mut v = json!({"id": id, "status": status, "timestamp": (now / 1000).to_string()});
        if recipient.bytes().all(|b| b.is_ascii_digit()) {
            v["recipient_id"] = json!(recipient);
        } else {
            v["recipient_user_id"] = json!(recipient);
        }
        if let Some(cb) = callback {
            v["biz_opaque_callback_data"] = cb;
        }
        if status == "failed" {
            let title = match code {
                131047 => "Re-engagement message",
                131026 => "Message undeliverable",
                131049 => "Message not delivered to maintain healthy ecosystem engagement",
                _ => "Message failed to send",
            };
            v["errors"] = json!([{"code": code, "title": title, "message": title,
                "error_data": {"details": "reported from the sandbox inspector"}}]);
        }
        let body = self.webhook_body(&number, &display, json!({"statuses": [v]}));
        webhook::deliver(self.clone(), body, Duration::ZERO);
        Ok(json!({"id": id, "status": status}))
    }
}
