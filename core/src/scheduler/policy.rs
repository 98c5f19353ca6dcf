//! Sending policies. Each gives an explicit decision — send, defer until a time,
//! drop, or refuse with a typed reason — recorded on the outbox item; nothing
//! is silently lost. The decision is a pure function of the send, the
//! recipient's history and the time: the scheduler reads the history from the
//! shared store ([`crate::store::PolicyHistoryStore`]) so caps hold across
//! restarts and workers; [`PolicyEngine::decide`] keeps a local history for
//! callers without a store.

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

pub use super::quiet::{QuietHours, UnknownZone, ZoneSource, resolve_zone, zone_for};
use crate::store::{Category, OptOut, PolicySend};
use crate::time::Millis;

/// A policy's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Go ahead.
    Send,
    /// Not now; try again at `until`.
    Defer {
        /// When.
        until: Millis,
        /// Why (its text is what the item records).
        reason: DeferReason,
    },
    /// Never (the item is parked with the reason).
    Drop {
        /// Why.
        reason: String,
    },
    /// Refused for a reason a program can act on (the item is parked with it).
    Refuse {
        /// Why.
        refusal: Refusal,
    },
}

/// Why a send waits: the policy, with what its text needs. Deciding builds
/// no string (a decision runs for every claimed item); the text is made by
/// `Display` when the deferral is written to the item. Serialized as that text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeferReason {
    /// Automated sends wait `hours` after a human agent replied.
    AutomationPause {
        /// The pause.
        hours: u64,
    },
    /// At most `limit` marketing templates per 24 h without opt-in.
    MarketingPerDay {
        /// The cap.
        limit: u32,
    },
    /// Promotions at most once per `days`.
    PromotionInterval {
        /// The gap.
        days: u64,
    },
    /// Notifications about one event at least `hours` apart.
    NotificationGap {
        /// The event.
        event: String,
        /// The gap.
        hours: u64,
    },
    /// Quiet hours in the recipient's zone (or the business's).
    QuietHours {
        /// First quiet hour.
        start_hour: u32,
        /// First allowed hour.
        end_hour: u32,
        /// The zone and where it came from.
        zone: ZoneSource,
    },
    /// A reason read back from its text.
    Text(String),
}

impl std::fmt::Display for DeferReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeferReason::AutomationPause { hours } => {
                write!(
                    f,
                    "automation paused for {hours} h after a human agent replied"
                )
            }
            DeferReason::MarketingPerDay { limit } => {
                write!(
                    f,
                    "at most {limit} marketing template(s) per 24 h without opt-in"
                )
            }
            DeferReason::PromotionInterval { days } => {
                write!(f, "promotions at most once per {days} days")
            }
            DeferReason::NotificationGap { event, hours } => {
                write!(
                    f,
                    "notifications for event {event} at least {hours} h apart"
                )
            }
            DeferReason::QuietHours {
                start_hour,
                end_hour,
                zone,
            } => {
                let whose = match zone {
                    ZoneSource::Contact(_) => "the contact's zone",
                    ZoneSource::Number(_) => "the number's zone",
                    ZoneSource::Business(_) => "the business's zone; the recipient's is unknown",
                };
                write!(
                    f,
                    "quiet hours {start_hour:02}:00–{end_hour:02}:00 in {} ({whose})",
                    zone.zone().name()
                )
            }
            DeferReason::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for DeferReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeferReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(DeferReason::Text)
    }
}

/// The policy behind the latest deferral found so far (what its reason
/// needs, without building it).
#[derive(Clone, Copy)]
enum Hold {
    Pause,
    Marketing(u32),
    Promotion,
    Notification,
    Quiet(ZoneSource),
}

/// A typed refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// The contact opted out: no marketing or utility templates until they opt in.
    OptedOut {
        /// When they opted out.
        since: Millis,
        /// How (`keyword`, `api`, ...).
        source: String,
    },
}

impl Refusal {
    /// Stable code (`opted_out`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OptedOut { .. } => "opted_out",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OptedOut { since, source } => write!(
                f,
                "opted_out: the recipient opted out ({source}, at {since} ms); marketing and utility templates are refused until they opt in"
            ),
        }
    }
}

/// Which policies apply, each configurable or off (`None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyConfig {
    /// Outside the 24 h customer-service window only templates may go.
    pub window_templates_only: bool,
    /// Marketing templates per recipient per 24 h without opt-in.
    pub marketing_per_day_without_opt_in: Option<u32>,
    /// The same content at most this many times per 30 days per recipient.
    pub same_content_per_month: Option<u32>,
    /// Promotions at most once per this period.
    pub promotion_interval: Option<Duration>,
    /// Repeated notifications for the same event at least this far apart.
    pub notification_min_gap: Option<Duration>,
    /// Automation pauses this long after a human agent replied.
    pub automation_pause_after_human: Option<Duration>,
    /// Quiet hours (not for replies to customers).
    pub quiet_hours: Option<QuietHours>,
    /// Refuse marketing and utility templates to contacts who opted out.
    pub honor_opt_out: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            window_templates_only: true,
            marketing_per_day_without_opt_in: Some(1),
            same_content_per_month: Some(5),
            promotion_interval: Some(Duration::from_secs(7 * 86_400)),
            notification_min_gap: Some(Duration::from_secs(6 * 3_600)),
            automation_pause_after_human: Some(Duration::from_secs(12 * 3_600)),
            quiet_hours: Some(QuietHours::new(21, 9)),
            honor_opt_out: true,
        }
    }
}

/// Facts about one send.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SendContext {
    /// Recipient key (E.164, wa_id or BSUID).
    pub recipient: String,
    /// Recipient's IANA time zone, when known (else derived from the number).
    pub time_zone: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// A template (allowed outside the window).
    pub is_template: bool,
    /// A promotion (marketing offer).
    pub is_promotion: bool,
    /// The event a notification is about (order id, appointment id, ...).
    pub event_key: Option<String>,
    /// Hash of the rendered content.
    pub content_hash: u64,
    /// Sent by automation rather than a person.
    pub automated: bool,
    /// A reply to the customer (quiet hours do not apply).
    pub is_reply: bool,
    /// Marketing opt-in.
    pub opted_in: bool,
    /// Set when the contact opted out.
    #[serde(default)]
    pub opted_out: Option<OptOut>,
    /// Last customer message on this number.
    pub last_inbound_at: Option<Millis>,
    /// Last human agent reply.
    pub last_human_reply_at: Option<Millis>,
}

/// Evaluates policies. [`decide_with`](Self::decide_with) takes the
/// recipient's history from the caller (the scheduler reads it from the
/// store); [`decide`](Self::decide) and [`record_sent`](Self::record_sent)
/// keep a history in this process for callers without a store.
#[derive(Default)]
pub struct PolicyEngine {
    cfg: PolicyConfig,
    // foldhash: the lookup runs on every decision, and SipHash would be a third of it.
    history: Mutex<HashMap<String, Vec<PolicySend>, foldhash::fast::RandomState>>,
    // Quiet-hours answers per zone for the current quarter hour (for this `cfg`).
    quiet: super::quiet::QuietCache,
}

const DAY: Millis = 86_400_000;
const MONTH: Millis = 30 * DAY;

fn ms(d: Duration) -> Millis {
    d.as_millis() as Millis
}

impl PolicyEngine {
    /// Engine with `cfg`.
    pub fn new(cfg: PolicyConfig) -> Self {
        PolicyEngine {
            cfg,
            history: Mutex::new(HashMap::default()),
            quiet: Default::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PolicyConfig {
        &self.cfg
    }

    /// How far back the history matters (the longest configured window).
    pub fn history_window(&self) -> Millis {
        let c = &self.cfg;
        [
            c.marketing_per_day_without_opt_in.map(|_| DAY),
            c.same_content_per_month.map(|_| MONTH),
            c.promotion_interval.map(ms),
            c.notification_min_gap.map(ms),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
    }

    /// The history record of a send of `c` (outbox item `item_id`) at `now`.
    pub fn entry(&self, c: &SendContext, item_id: &str, now: Millis) -> PolicySend {
        PolicySend {
            recipient: c.recipient.clone(),
            item_id: item_id.to_string(),
            at: now,
            marketing: c.category == Some(Category::Marketing),
            content_hash: c.content_hash,
            promotion: c.is_promotion,
            event_key: c.event_key.clone(),
        }
    }

    /// Decide about one send at `now` with the recipient's local history.
    pub fn decide(&self, c: &SendContext, now: Millis) -> Decision {
        let h = self.history.lock();
        let hist = h.get(&c.recipient).map(Vec::as_slice).unwrap_or(&[]);
        self.decide_with(c, hist, now)
    }

    /// Remember a send in the local history (after it was accepted).
    pub fn record_sent(&self, c: &SendContext, now: Millis) {
        let window = self.history_window();
        let mut h = self.history.lock();
        let hist = h.entry(c.recipient.clone()).or_default();
        hist.retain(|s| s.at > now - window);
        hist.push(self.entry(c, "", now));
    }

    /// Decide about one send at `now` given the recipient's earlier sends
    /// (`history`, any order). Checks run from permanent (refuse, drop) to
    /// temporary (defer) so a message that can never go is not deferred forever.
    pub fn decide_with(&self, c: &SendContext, history: &[PolicySend], now: Millis) -> Decision {
        let cfg = &self.cfg;
        if cfg.honor_opt_out
            && let Some(o) = &c.opted_out
            && (c.category == Some(Category::Marketing)
                || (c.category == Some(Category::Utility) && c.is_template))
        {
            return Decision::Refuse {
                refusal: Refusal::OptedOut {
                    since: o.at,
                    source: o.source.clone(),
                },
            };
        }
        let in_window = c.last_inbound_at.is_some_and(|t| t > now - DAY);
        if cfg.window_templates_only && !in_window && !c.is_template {
            return Decision::Drop {
                reason: "outside the 24 h customer-service window only templates may be sent"
                    .into(),
            };
        }
        // The history and the recipient's digits are usually separate cold heap
        // blocks: start loading the history now, so its miss overlaps the zone
        // lookup (which waits on the digits) instead of following it.
        crate::mem::prefetch_slice(history);
        let quiet = match &cfg.quiet_hours {
            Some(q) if !c.is_reply => {
                super::quiet::quiet_defer(q, &self.quiet, &c.recipient, c.time_zone.as_deref(), now)
            }
            _ => None,
        };
        // One pass over the history gathers what every cap needs.
        let (mut same, mut marketing, mut oldest_marketing) = (0u32, 0u32, Millis::MAX);
        let (mut last_promotion, mut last_event) = (None::<Millis>, None::<Millis>);
        // Only a send of the same event inside the gap can defer, so older sends
        // skip the key comparison (each key is text elsewhere in memory).
        let event_since = match (cfg.notification_min_gap, &c.event_key) {
            (Some(gap), Some(_)) => now.saturating_sub(ms(gap)),
            _ => Millis::MAX,
        };
        for s in history {
            if c.content_hash != 0 && s.content_hash == c.content_hash && s.at > now - MONTH {
                same += 1;
            }
            if s.marketing && s.at > now - DAY {
                marketing += 1;
                oldest_marketing = oldest_marketing.min(s.at);
            }
            if s.promotion {
                last_promotion = last_promotion.max(Some(s.at));
            }
            if s.at > event_since && s.event_key == c.event_key {
                last_event = last_event.max(Some(s.at));
            }
        }
        if let Some(limit) = cfg.same_content_per_month
            && same >= limit
        {
            return Decision::Drop {
                reason: format!(
                    "the same content was already sent {limit} times to this recipient in 30 days"
                ),
            };
        }
        // The latest deferral wins; its reason is built once, at the end.
        let mut hold: Option<(Millis, Hold)> = None;
        let mut later = |until: Millis, why: Hold| {
            if hold.as_ref().is_none_or(|(u, _)| until > *u) {
                hold = Some((until, why));
            }
        };
        if let (Some(pause), Some(human)) =
            (cfg.automation_pause_after_human, c.last_human_reply_at)
            && c.automated
            && human + ms(pause) > now
        {
            later(human + ms(pause), Hold::Pause);
        }
        if let Some(limit) = cfg.marketing_per_day_without_opt_in
            && c.category == Some(Category::Marketing)
            && !c.opted_in
            && marketing >= limit
        {
            later(oldest_marketing + DAY, Hold::Marketing(limit));
        }
        if let (Some(gap), Some(last)) = (cfg.promotion_interval, last_promotion)
            && c.is_promotion
            && last + ms(gap) > now
        {
            later(last + ms(gap), Hold::Promotion);
        }
        if let (Some(gap), Some(_), Some(last)) =
            (cfg.notification_min_gap, &c.event_key, last_event)
            && last + ms(gap) > now
        {
            later(last + ms(gap), Hold::Notification);
        }
        if let Some((until, zone)) = quiet {
            later(until, Hold::Quiet(zone));
        }
        let hours = |d: Option<Duration>| d.map_or(0, |d| d.as_secs() / 3600);
        match hold {
            Some((until, why)) => Decision::Defer {
                until,
                reason: match why {
                    Hold::Pause => DeferReason::AutomationPause {
                        hours: hours(cfg.automation_pause_after_human),
                    },
                    Hold::Marketing(limit) => DeferReason::MarketingPerDay { limit },
                    Hold::Promotion => DeferReason::PromotionInterval {
                        days: hours(cfg.promotion_interval) / 24,
                    },
                    Hold::Notification => DeferReason::NotificationGap {
                        event: c.event_key.clone().unwrap_or_default(),
                        hours: hours(cfg.notification_min_gap),
                    },
                    Hold::Quiet(zone) => {
                        let q = cfg.quiet_hours.as_ref();
                        DeferReason::QuietHours {
                            start_hour: q.map_or(0, |q| q.start_hour),
                            end_hour: q.map_or(0, |q| q.end_hour),
                            zone,
                        }
                    }
                },
            },
            None => Decision::Send,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32, h: u32) -> Millis {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .timestamp_millis()
    }

    fn ctx() -> SendContext {
        SendContext {
            recipient: "+819012345678".into(),
            category: Some(Category::Marketing),
            is_template: true,
            content_hash: 42,
            ..Default::default()
        }
    }

    fn no_quiet() -> PolicyConfig {
        PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        }
    }

    #[test]
    fn window_rule_send_and_drop() {
        let p = PolicyEngine::new(no_quiet());
        let now = at(2026, 11, 24, 3);
        let mut c = ctx();
        c.is_template = false;
        c.category = Some(Category::Service);
        assert!(matches!(p.decide(&c, now), Decision::Drop { reason } if reason.contains("24 h")));
        c.last_inbound_at = Some(now - 3_600_000);
        assert_eq!(p.decide(&c, now), Decision::Send);
        c.is_template = true;
        c.last_inbound_at = None;
        assert_eq!(
            p.decide(&c, now),
            Decision::Send,
            "templates may go outside the window"
        );
    }

    #[test]
    fn marketing_per_day_without_opt_in_defers() {
        let p = PolicyEngine::new(no_quiet());
        let now = at(2026, 11, 24, 3);
        let c = ctx();
        assert_eq!(p.decide(&c, now), Decision::Send);
        p.record_sent(&c, now);
        let mut other = c.clone();
        other.content_hash = 43;
        match p.decide(&other, now + 1000) {
            Decision::Defer { until, reason } => {
                assert_eq!(until, now + DAY);
                assert!(reason.to_string().contains("marketing"));
            }
            d => panic!("{d:?}"),
        }
        other.opted_in = true;
        assert_eq!(
            p.decide(&other, now + 1000),
            Decision::Send,
            "opted-in customers are not capped"
        );
    }

    #[test]
    fn same_content_five_times_a_month_then_drop() {
        let p = PolicyEngine::new(PolicyConfig {
            marketing_per_day_without_opt_in: None,
            ..no_quiet()
        });
        let mut c = ctx();
        c.category = Some(Category::Utility);
        let t0 = at(2026, 11, 1, 3);
        for i in 0..5 {
            assert_eq!(p.decide(&c, t0 + i * DAY), Decision::Send);
            p.record_sent(&c, t0 + i * DAY);
        }
        assert!(
            matches!(p.decide(&c, t0 + 5 * DAY), Decision::Drop { reason } if reason.contains("5 times"))
        );
        assert_eq!(
            p.decide(&c, t0 + 31 * DAY),
            Decision::Send,
            "a month later it may go again"
        );
    }

    #[test]
    fn promotions_weekly_notifications_six_hours_automation_pause() {
        let p = PolicyEngine::new(PolicyConfig {
            marketing_per_day_without_opt_in: None,
            ..no_quiet()
        });
        let t0 = at(2026, 11, 2, 3);
        let mut promo = ctx();
        promo.is_promotion = true;
        p.record_sent(&promo, t0);
        promo.content_hash = 7;
        assert!(
            matches!(p.decide(&promo, t0 + 2 * DAY), Decision::Defer { until, .. } if until == t0 + 7 * DAY)
        );
        assert_eq!(p.decide(&promo, t0 + 7 * DAY + 1), Decision::Send);

        let mut note = ctx();
        note.category = Some(Category::Utility);
        note.event_key = Some("order-42".into());
        note.content_hash = 9;
        p.record_sent(&note, t0);
        assert!(
            matches!(p.decide(&note, t0 + 3_600_000), Decision::Defer { reason, .. } if reason.to_string().contains("order-42"))
        );
        note.event_key = Some("order-43".into());
        assert_eq!(p.decide(&note, t0 + 3_600_000), Decision::Send);

        let mut auto = ctx();
        auto.content_hash = 11;
        auto.category = Some(Category::Utility);
        auto.automated = true;
        auto.last_human_reply_at = Some(t0);
        assert!(
            matches!(p.decide(&auto, t0 + 3_600_000), Decision::Defer { until, .. } if until == t0 + 12 * 3_600_000)
        );
        auto.automated = false;
        assert_eq!(
            p.decide(&auto, t0 + 3_600_000),
            Decision::Send,
            "people are not paused"
        );
    }

    #[test]
    fn quiet_hours_in_the_recipients_zone() {
        let p = PolicyEngine::new(PolicyConfig {
            marketing_per_day_without_opt_in: None,
            ..Default::default()
        });
        let c = ctx();
        // 14:00 UTC is 23:00 in Tokyo: quiet until 09:00 Tokyo = 00:00 UTC next day.
        let now = at(2026, 11, 24, 14);
        match p.decide(&c, now) {
            Decision::Defer { until, reason } => {
                assert_eq!(until, at(2026, 11, 25, 0));
                assert!(reason.to_string().contains("Asia/Tokyo"), "{reason}");
            }
            d => panic!("{d:?}"),
        }
        assert_eq!(
            p.decide(&c, at(2026, 11, 24, 3)),
            Decision::Send,
            "12:00 in Tokyo"
        );
        let mut reply = c.clone();
        reply.is_reply = true;
        assert_eq!(
            p.decide(&reply, now),
            Decision::Send,
            "replies ignore quiet hours"
        );
        let mut ny = c.clone();
        ny.time_zone = Some("America/New_York".into());
        assert_eq!(p.decide(&ny, now), Decision::Send, "09:00 in New York");
    }
}
