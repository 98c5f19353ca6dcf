//! Sending policies. Each gives an explicit decision — send, defer until a time,
//! or drop — with the reason recorded on the outbox item; nothing is silently lost.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{TimeZone, Timelike};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::store::Category;
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
        /// Why.
        reason: String,
    },
    /// Never (the item is parked with the reason).
    Drop {
        /// Why.
        reason: String,
    },
}

/// Quiet hours in the recipient's local time (`start`..`end`, wrapping midnight).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuietHours {
    /// First quiet hour (e.g. 21).
    pub start_hour: u32,
    /// First allowed hour (e.g. 9).
    pub end_hour: u32,
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
            quiet_hours: Some(QuietHours {
                start_hour: 21,
                end_hour: 9,
            }),
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
    /// Last customer message on this number.
    pub last_inbound_at: Option<Millis>,
    /// Last human agent reply.
    pub last_human_reply_at: Option<Millis>,
}

#[derive(Default)]
struct History {
    marketing: VecDeque<Millis>,
    content: HashMap<u64, VecDeque<Millis>>,
    last_promotion: Option<Millis>,
    events: HashMap<String, Millis>,
}

/// Evaluates policies and remembers what was sent (in memory; rebuilt from the
/// message store after a restart by replaying `record_sent`).
#[derive(Default)]
pub struct PolicyEngine {
    cfg: PolicyConfig,
    // foldhash: the lookup runs on every decision, and SipHash would be a third of it.
    history: Mutex<HashMap<String, History, foldhash::fast::RandomState>>,
}

const DAY: Millis = 86_400_000;

fn ms(d: Duration) -> Millis {
    d.as_millis() as Millis
}

/// The time zone of a recipient: given, or the main zone of the number's country.
pub fn zone_for(recipient: &str, given: Option<&str>) -> Option<chrono_tz::Tz> {
    if let Some(tz) = given.and_then(|g| g.parse::<chrono_tz::Tz>().ok()) {
        return Some(tz);
    }
    let e164 = if recipient.starts_with('+') {
        recipient.to_string()
    } else {
        format!("+{recipient}")
    };
    let region = crate::phone::region_of(&e164)?;
    // Countries with several zones use their most populous one.
    let name = match region.as_str() {
        "JP" => "Asia/Tokyo",
        "HK" => "Asia/Hong_Kong",
        "CN" => "Asia/Shanghai",
        "TW" => "Asia/Taipei",
        "KR" => "Asia/Seoul",
        "SG" => "Asia/Singapore",
        "MY" => "Asia/Kuala_Lumpur",
        "TH" => "Asia/Bangkok",
        "VN" => "Asia/Ho_Chi_Minh",
        "ID" => "Asia/Jakarta",
        "PH" => "Asia/Manila",
        "IN" => "Asia/Kolkata",
        "PK" => "Asia/Karachi",
        "BD" => "Asia/Dhaka",
        "AE" => "Asia/Dubai",
        "SA" => "Asia/Riyadh",
        "IL" => "Asia/Jerusalem",
        "TR" => "Europe/Istanbul",
        "EG" => "Africa/Cairo",
        "NG" => "Africa/Lagos",
        "KE" => "Africa/Nairobi",
        "ZA" => "Africa/Johannesburg",
        "GB" | "GG" | "JE" | "IM" => "Europe/London",
        "IE" => "Europe/Dublin",
        "PT" => "Europe/Lisbon",
        "ES" => "Europe/Madrid",
        "FR" => "Europe/Paris",
        "DE" => "Europe/Berlin",
        "IT" => "Europe/Rome",
        "NL" => "Europe/Amsterdam",
        "BE" => "Europe/Brussels",
        "CH" => "Europe/Zurich",
        "AT" => "Europe/Vienna",
        "PL" => "Europe/Warsaw",
        "SE" => "Europe/Stockholm",
        "RU" => "Europe/Moscow",
        "US" => "America/New_York",
        "CA" => "America/Toronto",
        "MX" => "America/Mexico_City",
        "BR" => "America/Sao_Paulo",
        "AR" => "America/Argentina/Buenos_Aires",
        "CL" => "America/Santiago",
        "CO" => "America/Bogota",
        "PE" => "America/Lima",
        "AU" => "Australia/Sydney",
        "NZ" => "Pacific/Auckland",
        _ => return None,
    };
    name.parse().ok()
}

impl PolicyEngine {
    /// Engine with `cfg`.
    pub fn new(cfg: PolicyConfig) -> Self {
        PolicyEngine {
            cfg,
            history: Mutex::new(HashMap::default()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PolicyConfig {
        &self.cfg
    }

    /// Decide about one send at `now`. Checks run from permanent (drop) to
    /// temporary (defer) so a message that can never go is not deferred forever.
    pub fn decide(&self, c: &SendContext, now: Millis) -> Decision {
        let in_window = c.last_inbound_at.is_some_and(|t| t > now - DAY);
        if self.cfg.window_templates_only && !in_window && !c.is_template {
            return Decision::Drop {
                reason: "outside the 24 h customer-service window only templates may be sent"
                    .into(),
            };
        }
        let h = self.history.lock();
        let hist = h.get(&c.recipient);
        if let (Some(limit), Some(hist)) = (self.cfg.same_content_per_month, hist)
            && c.content_hash != 0
            && let Some(times) = hist.content.get(&c.content_hash)
            && times.iter().filter(|t| **t > now - 30 * DAY).count() as u32 >= limit
        {
            return Decision::Drop {
                reason: format!(
                    "the same content was already sent {limit} times to this recipient in 30 days"
                ),
            };
        }
        let mut defer_until: Option<(Millis, String)> = None;
        let mut later = |until: Millis, reason: String| {
            if defer_until.as_ref().is_none_or(|(u, _)| until > *u) {
                defer_until = Some((until, reason));
            }
        };
        if let (Some(pause), Some(human)) =
            (self.cfg.automation_pause_after_human, c.last_human_reply_at)
            && c.automated
            && human + ms(pause) > now
        {
            later(
                human + ms(pause),
                format!(
                    "automation paused for {} h after a human agent replied",
                    pause.as_secs() / 3600
                ),
            );
        }
        if let Some(hist) = hist {
            if let Some(limit) = self.cfg.marketing_per_day_without_opt_in
                && c.category == Some(Category::Marketing)
                && !c.opted_in
            {
                let recent: Vec<Millis> = hist
                    .marketing
                    .iter()
                    .copied()
                    .filter(|t| *t > now - DAY)
                    .collect();
                if recent.len() as u32 >= limit {
                    let oldest = recent.iter().min().copied().unwrap_or(now);
                    later(
                        oldest + DAY,
                        format!("at most {limit} marketing template(s) per 24 h without opt-in"),
                    );
                }
            }
            if let (Some(gap), Some(last)) = (self.cfg.promotion_interval, hist.last_promotion)
                && c.is_promotion
                && last + ms(gap) > now
            {
                later(
                    last + ms(gap),
                    format!(
                        "promotions at most once per {} days",
                        gap.as_secs() / 86_400
                    ),
                );
            }
            if let (Some(gap), Some(ev)) = (self.cfg.notification_min_gap, &c.event_key)
                && let Some(last) = hist.events.get(ev)
                && last + ms(gap) > now
            {
                later(
                    last + ms(gap),
                    format!(
                        "notifications for event {ev} at least {} h apart",
                        gap.as_secs() / 3600
                    ),
                );
            }
        }
        drop(h);
        if let Some(q) = &self.cfg.quiet_hours
            && !c.is_reply
            && let Some(tz) = zone_for(&c.recipient, c.time_zone.as_deref())
            && let Some(until) = quiet_until(q, tz, now)
        {
            later(
                until,
                format!(
                    "quiet hours {:02}:00–{:02}:00 in {}",
                    q.start_hour,
                    q.end_hour,
                    tz.name()
                ),
            );
        }
        match defer_until {
            Some((until, reason)) => Decision::Defer { until, reason },
            None => Decision::Send,
        }
    }

    /// Remember a send (after it was accepted).
    pub fn record_sent(&self, c: &SendContext, now: Millis) {
        let mut h = self.history.lock();
        let hist = h.entry(c.recipient.clone()).or_default();
        if c.category == Some(Category::Marketing) {
            hist.marketing.push_back(now);
            while hist.marketing.front().is_some_and(|t| *t <= now - DAY) {
                hist.marketing.pop_front();
            }
        }
        if c.content_hash != 0 {
            let times = hist.content.entry(c.content_hash).or_default();
            times.push_back(now);
            while times.front().is_some_and(|t| *t <= now - 30 * DAY) {
                times.pop_front();
            }
        }
        if c.is_promotion {
            hist.last_promotion = Some(now);
        }
        if let Some(ev) = &c.event_key {
            hist.events.insert(ev.clone(), now);
        }
    }
}

/// When quiet hours end, if `now` falls inside them.
fn quiet_until(q: &QuietHours, tz: chrono_tz::Tz, now: Millis) -> Option<Millis> {
    let local = tz.timestamp_millis_opt(now).single()?;
    let hour = local.hour();
    let quiet = if q.start_hour > q.end_hour {
        hour >= q.start_hour || hour < q.end_hour
    } else {
        hour >= q.start_hour && hour < q.end_hour
    };
    if !quiet {
        return None;
    }
    let mut day = local.date_naive();
    if q.start_hour > q.end_hour && hour >= q.start_hour {
        day = day.succ_opt()?;
    }
    let end = day.and_hms_opt(q.end_hour, 0, 0)?;
    tz.from_local_datetime(&end)
        .earliest()
        .map(|d| d.timestamp_millis())
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
                assert!(reason.contains("marketing"));
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
            matches!(p.decide(&note, t0 + 3_600_000), Decision::Defer { reason, .. } if reason.contains("order-42"))
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
                assert!(reason.contains("Asia/Tokyo"), "{reason}");
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
