//! Campaign planning: before a broadcast, estimate how long it takes under the
//! limits and what it costs (a dated per-country rate card shipped as data),
//! and switch to batched sending when the volume nears a limit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::store::Category;

/// The rate card shipped with this version (USD per delivered message).
pub const RATE_CARD_CSV: &str = include_str!("../../data/rate_card_2026-10-01.csv");
/// Date the shipped card takes effect.
pub const RATE_CARD_DATE: &str = "2026-10-01";

/// Per-country rates by category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateCard {
    /// Effective date.
    pub effective: String,
    /// Country (ISO alpha-2, `*` fallback) → [marketing, utility, authentication, service].
    pub rates: BTreeMap<String, [f64; 4]>,
}

impl RateCard {
    /// The card shipped with wacrm.
    pub fn shipped() -> RateCard {
        Self::parse(RATE_CARD_CSV, RATE_CARD_DATE).expect("shipped rate card parses")
    }

    /// Parse `country,marketing,utility,authentication,service` lines (`#` comments allowed).
    pub fn parse(csv_text: &str, effective: &str) -> crate::Result<RateCard> {
        let mut rates = BTreeMap::new();
        for (n, line) in csv_text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("country,") {
                continue;
            }
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 5 {
                return Err(crate::Error::validation(
                    "rate_card",
                    format!("line {}: 5 fields expected", n + 1),
                ));
            }
            let mut v = [0.0; 4];
            for (i, x) in f[1..].iter().enumerate() {
                v[i] = x.trim().parse().map_err(|_| {
                    crate::Error::validation(
                        "rate_card",
                        format!("line {}: {x:?} is not a number", n + 1),
                    )
                })?;
            }
            rates.insert(f[0].trim().to_string(), v);
        }
        if !rates.contains_key("*") {
            return Err(crate::Error::validation(
                "rate_card",
                "a fallback row \"*\" is required",
            ));
        }
        Ok(RateCard {
            effective: effective.to_string(),
            rates,
        })
    }

    /// Rate for a country and category.
    pub fn rate(&self, country: &str, c: Category) -> f64 {
        let row = self
            .rates
            .get(country)
            .or_else(|| self.rates.get("*"))
            .copied()
            .unwrap_or([0.0; 4]);
        match c {
            Category::Marketing => row[0],
            Category::Utility => row[1],
            Category::Authentication => row[2],
            Category::Service => row[3],
        }
    }
}

/// What to plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignInput {
    /// Recipients per country.
    pub recipients_by_country: BTreeMap<String, u64>,
    /// Category of the template.
    pub category: Category,
    /// Sending numbers used.
    pub numbers: u32,
    /// Throughput per number (messages/s).
    pub mps_per_number: u32,
    /// Portfolio tier cap (unique recipients outside the window per 24 h), `None` unlimited.
    pub tier_cap: Option<u64>,
    /// Unique recipients already used in the current 24 h window.
    pub tier_used: u64,
    /// Most messages of the campaign to one recipient from one number.
    pub max_per_pair: u64,
    /// Messages to one pair sent at once before pacing starts.
    pub pair_burst: u32,
    /// Seconds between two paced messages to one pair.
    pub pair_interval_secs: f64,
    /// Recipients per country inside their 24 h customer-service window.
    pub in_window_by_country: BTreeMap<String, u64>,
    /// Recipients per country inside a free entry-point window (72 h after
    /// they wrote from a click-to-WhatsApp ad or a Page button).
    pub entry_point_by_country: BTreeMap<String, u64>,
}

impl Default for CampaignInput {
    fn default() -> Self {
        let limits = super::limits::LimitConfig::default();
        CampaignInput {
            recipients_by_country: BTreeMap::new(),
            category: Category::Marketing,
            numbers: 1,
            mps_per_number: limits.mps,
            tier_cap: None,
            tier_used: 0,
            max_per_pair: 1,
            pair_burst: limits.pair_burst,
            pair_interval_secs: limits.pair_interval.as_secs_f64(),
            in_window_by_country: BTreeMap::new(),
            entry_point_by_country: BTreeMap::new(),
        }
    }
}

/// The plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignPlan {
    /// Recipients.
    pub recipients: u64,
    /// Estimated seconds from the first send to the last: throughput, pair
    /// pacing and, when batched, the waits between the daily batches.
    pub send_seconds: f64,
    /// Days the tier spreads the campaign over (1 = today).
    pub days: u64,
    /// Estimated cost in USD (if every message is delivered).
    pub cost_usd: f64,
    /// Cost per country.
    pub cost_by_country: BTreeMap<String, f64>,
    /// Messages that cost nothing: inside a free entry-point window, utility
    /// inside the service window, service replies.
    pub free_messages: u64,
    /// Send in daily batches: the volume passes 80 % of the tier. The
    /// scheduler queues each day's batch with its own start time.
    pub batched: bool,
    /// Recipients per daily batch.
    pub batch_size: u64,
    /// Seconds one pair's messages take past the burst (0 when none is paced).
    pub pair_seconds: f64,
    /// Rate card date used.
    pub rate_card: String,
}

/// Seconds in the tier's rolling window.
pub(crate) const DAY_SECONDS: f64 = 86_400.0;

/// Seconds one pair's `n` messages take: the burst at once, then one per interval.
pub(crate) fn pair_seconds(n: u64, burst: u32, interval_secs: f64) -> f64 {
    n.saturating_sub(u64::from(burst.max(1))) as f64 * interval_secs.max(0.0)
}

/// Messages of `n` to one country that are free: all inside a free
/// entry-point window; utility inside the service window; service replies
/// (they can only be sent inside the window, where Meta does not charge them).
fn free_of(n: u64, category: Category, in_window: u64, entry_point: u64) -> u64 {
    let free = match category {
        Category::Service => n,
        Category::Utility => entry_point.saturating_add(in_window),
        Category::Marketing | Category::Authentication => entry_point,
    };
    free.min(n)
}

/// Plan a campaign.
pub fn plan(input: &CampaignInput, card: &RateCard) -> CampaignPlan {
    let recipients: u64 = input.recipients_by_country.values().sum();
    let rate = (input.numbers.max(1) as f64) * (input.mps_per_number.max(1) as f64);
    let mut cost_by_country = BTreeMap::new();
    let mut free_messages = 0;
    for (c, n) in &input.recipients_by_country {
        let get = |m: &BTreeMap<String, u64>| m.get(c).copied().unwrap_or(0);
        let free = free_of(
            *n,
            input.category,
            get(&input.in_window_by_country),
            get(&input.entry_point_by_country),
        );
        free_messages += free;
        cost_by_country.insert(c.clone(), card.rate(c, input.category) * (n - free) as f64);
    }
    let cost_usd = cost_by_country.values().sum();
    let (batched, batch_size, days) = match input.tier_cap {
        Some(cap) => {
            let room = cap.saturating_sub(input.tier_used);
            // Keep 20 % headroom for replies and notifications sent the same day.
            let comfortable = (cap as f64 * 0.8) as u64;
            if recipients as f64 > 0.8 * cap as f64 || recipients > room {
                let per_day = comfortable.clamp(1, cap.max(1));
                (true, per_day, recipients.div_ceil(per_day).max(1))
            } else {
                (false, recipients, 1)
            }
        }
        None => (false, recipients, 1),
    };
    let pair_seconds = pair_seconds(
        input.max_per_pair,
        input.pair_burst,
        input.pair_interval_secs,
    );
    // A day takes its batch at the throughput, or the pacing of its busiest
    // pair, whichever is longer; the next batch starts once the first
    // contacts of this one have left the 24 h window (see `spread`).
    let day_seconds = |n: u64| (n as f64 / rate).max(pair_seconds);
    let full_day = day_seconds(batch_size);
    let last = recipients.saturating_sub(batch_size * (days - 1));
    let send_seconds = (days - 1) as f64 * (DAY_SECONDS + full_day) + day_seconds(last);
    CampaignPlan {
        recipients,
        send_seconds,
        days,
        cost_usd,
        cost_by_country,
        free_messages,
        batched,
        batch_size,
        pair_seconds,
        rate_card: card.effective.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_duration_cost_and_batching() {
        let card = RateCard::shipped();
        assert_eq!(card.rate("BR", Category::Marketing), 0.0625);
        assert_eq!(card.rate("ZZ", Category::Utility), 0.02, "fallback row");
        let mut by = BTreeMap::new();
        by.insert("BR".to_string(), 1_000u64);
        by.insert("CO".to_string(), 1_000u64);
        let p = plan(
            &CampaignInput {
                recipients_by_country: by.clone(),
                category: Category::Marketing,
                numbers: 2,
                mps_per_number: 80,
                tier_cap: Some(10_000),
                tier_used: 0,
                ..Default::default()
            },
            &card,
        );
        assert_eq!(p.recipients, 2_000);
        assert!((p.send_seconds - 12.5).abs() < 1e-9);
        assert!((p.cost_usd - (62.5 + 12.5)).abs() < 1e-6);
        assert!(!p.batched);
        let big = plan(
            &CampaignInput {
                recipients_by_country: by,
                category: Category::Marketing,
                numbers: 1,
                mps_per_number: 80,
                tier_cap: Some(2_000),
                tier_used: 0,
                ..Default::default()
            },
            &card,
        );
        assert!(big.batched, "2,000 recipients is past 80 % of a 2K tier");
        assert_eq!(big.batch_size, 1_600);
        assert_eq!(big.days, 2);
        assert!(RateCard::parse("country,a\nBR,1", "x").is_err());
    }

    #[test]
    fn send_time_counts_pair_pacing_and_the_days_between_batches() {
        let card = RateCard::shipped();
        let mut by = BTreeMap::new();
        by.insert("BR".to_string(), 2_000u64);
        let input = CampaignInput {
            recipients_by_country: by,
            mps_per_number: 80,
            tier_cap: Some(2_000),
            ..Default::default()
        };
        let p = plan(&input, &card);
        // 1,600 on day 1 (20 s), then a full window, then 400 (5 s).
        assert_eq!((p.batch_size, p.days), (1_600, 2));
        assert!(
            (p.send_seconds - (86_400.0 + 20.0 + 5.0)).abs() < 1e-6,
            "{p:?}"
        );
        // 60 messages to one pair: 45 at once, 15 more 6 s apart.
        let paced = plan(
            &CampaignInput {
                tier_cap: None,
                max_per_pair: 60,
                ..input
            },
            &card,
        );
        assert!((paced.pair_seconds - 90.0).abs() < 1e-9);
        assert!(
            (paced.send_seconds - 90.0).abs() < 1e-9,
            "pacing outlasts 25 s of throughput"
        );
    }

    #[test]
    fn free_messages_are_not_priced() {
        let card = RateCard::shipped();
        let one = |m: &[(&str, u64)]| m.iter().map(|(c, n)| (c.to_string(), *n)).collect();
        let input = |category| CampaignInput {
            recipients_by_country: one(&[("BR", 100)]),
            in_window_by_country: one(&[("BR", 30)]),
            entry_point_by_country: one(&[("BR", 10)]),
            category,
            ..Default::default()
        };
        let m = plan(&input(Category::Marketing), &card);
        assert_eq!(
            m.free_messages, 10,
            "marketing is free only in an entry-point window"
        );
        assert!((m.cost_usd - 90.0 * card.rate("BR", Category::Marketing)).abs() < 1e-9);
        let u = plan(&input(Category::Utility), &card);
        assert_eq!(
            u.free_messages, 40,
            "utility is free inside the service window too"
        );
        assert!((u.cost_usd - 60.0 * card.rate("BR", Category::Utility)).abs() < 1e-9);
        let s = plan(&input(Category::Service), &card);
        assert_eq!(
            (s.free_messages, s.cost_usd),
            (100, 0.0),
            "service replies are free"
        );
    }
}
