//! The campaign plan drives the sender: the plan's daily batches and the pair
//! pacing become each message's `not_before`, so a campaign larger than the
//! messaging-limit tier goes out day by day and a recipient's messages are
//! paced, instead of every item being claimed at once and deferred (and
//! claimed again) one by one.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::campaign::{CampaignInput, CampaignPlan, DAY_SECONDS, RateCard, plan};
use super::limits::LimitConfig;
use super::worker::OutgoingMessage;
use crate::ids::Recipient;
use crate::time::Millis;

/// How a campaign is laid out in time.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    /// Unique recipients per day (`None`: all on the first day).
    pub per_day: Option<u64>,
    /// Sends per second over all numbers (how long a day's batch takes).
    pub rate: f64,
    /// Messages to one pair sent at once before pacing starts.
    pub pair_burst: u32,
    /// Milliseconds between two paced messages to one pair.
    pub pair_interval_ms: Millis,
}

impl Spread {
    /// The layout of `plan` under `limits`.
    pub fn of(plan: &CampaignPlan, input: &CampaignInput) -> Spread {
        Spread {
            per_day: plan.batched.then_some(plan.batch_size.max(1)),
            rate: f64::from(input.numbers.max(1)) * f64::from(input.mps_per_number.max(1)),
            pair_burst: input.pair_burst.max(1),
            pair_interval_ms: (input.pair_interval_secs * 1_000.0).round() as Millis,
        }
    }

    /// When day `d` (0 = the first) starts: each batch waits a full window
    /// plus the time the batch before it takes to go out, so the recipients
    /// it reached have left the tier's rolling 24 h when the next one starts.
    fn day_start(&self, start: Millis, d: u64) -> Millis {
        let Some(per_day) = self.per_day else {
            return start;
        };
        let batch_secs = per_day as f64 / self.rate.max(1.0);
        let step = ((DAY_SECONDS + batch_secs) * 1_000.0).ceil() as Millis;
        start + step * d as Millis
    }
}

/// Set each message's `not_before` from `start`: the k-th distinct recipient
/// (in the order given) goes to day `k / per_day`, with every message to that
/// recipient (the tier counts people, not messages); the n-th message to one
/// (number, recipient) pair past the burst waits `n × interval` into its day.
/// A later `not_before` already set is kept. Returns the days used.
pub fn spread(messages: &mut [OutgoingMessage], start: Millis, s: &Spread) -> u64 {
    let mut day_of: HashMap<Recipient, u64> = HashMap::new();
    let mut per_pair: HashMap<(String, Recipient), u64> = HashMap::new();
    let mut days = 1;
    for m in messages.iter_mut() {
        let next = day_of.len() as u64;
        let day = *day_of
            .entry(m.recipient.clone())
            .or_insert_with(|| s.per_day.map_or(0, |p| next / p));
        days = days.max(day + 1);
        let n = per_pair
            .entry((m.phone_number_id.as_str().to_string(), m.recipient.clone()))
            .or_insert(0);
        let paced = (*n + 1).saturating_sub(u64::from(s.pair_burst));
        *n += 1;
        let at = s.day_start(start, day) + paced as Millis * s.pair_interval_ms;
        m.not_before = m.not_before.max(at);
    }
    days
}

/// The plan's input for `messages` under `limits` and the tier's state.
pub fn input_of(
    messages: &[OutgoingMessage],
    limits: &LimitConfig,
    tier_cap: Option<usize>,
    tier_used: usize,
) -> CampaignInput {
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut per_pair: HashMap<(&str, &str), u64> = HashMap::new();
    let mut numbers = HashSet::new();
    for m in messages {
        numbers.insert(m.phone_number_id.as_str());
        *per_pair
            .entry((m.phone_number_id.as_str(), m.recipient.as_str()))
            .or_insert(0) += 1;
        if seen.insert(m.recipient.as_str()) {
            let country = crate::phone::region_of(&m.recipient).unwrap_or_else(|| "*".into());
            *by_country.entry(country).or_insert(0) += 1;
        }
    }
    // The slowest number sets the pace of an even split.
    let mps = numbers
        .iter()
        .map(|n| limits.mps_by_number.get(*n).copied().unwrap_or(limits.mps))
        .min()
        .unwrap_or(limits.mps);
    let category = messages
        .first()
        .map(|m| m.category)
        .unwrap_or(crate::store::Category::Marketing);
    CampaignInput {
        recipients_by_country: by_country,
        category,
        numbers: numbers.len().max(1) as u32,
        mps_per_number: mps,
        tier_cap: tier_cap.map(|c| c as u64),
        tier_used: tier_used as u64,
        max_per_pair: per_pair.values().copied().max().unwrap_or(0),
        pair_burst: limits.pair_burst,
        pair_interval_secs: limits.pair_interval.as_secs_f64(),
        ..Default::default()
    }
}

/// Plan `messages` and lay them out from `start`: the plan, and the messages
/// with their `not_before` set.
pub fn plan_and_spread(
    messages: &[OutgoingMessage],
    start: Millis,
    limits: &LimitConfig,
    tier_cap: Option<usize>,
    tier_used: usize,
) -> (CampaignPlan, Vec<OutgoingMessage>) {
    let input = input_of(messages, limits, tier_cap, tier_used);
    let p = plan(&input, &RateCard::shipped());
    let mut out = messages.to_vec();
    spread(&mut out, start, &Spread::of(&p, &input));
    (p, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::OutboundMessage;
    use crate::ids::PhoneNumberId;
    use crate::store::Category;

    fn msg(i: usize, to: &str) -> OutgoingMessage {
        OutgoingMessage::new(
            format!("k{i}"),
            &PhoneNumberId::new("pn1"),
            to,
            OutboundMessage::text("hello"),
            Category::Marketing,
        )
    }

    #[test]
    fn days_follow_the_tier_and_keep_a_recipient_on_one_day() {
        let mut ms: Vec<_> = (0..5).map(|i| msg(i, &format!("+1555000{i}"))).collect();
        // The first recipient again: same day as its first message.
        ms.push(msg(9, "+15550000"));
        let s = Spread {
            per_day: Some(2),
            rate: 80.0,
            pair_burst: 45,
            pair_interval_ms: 6_000,
        };
        assert_eq!(spread(&mut ms, 1_000, &s), 3);
        let day = 86_400_000 + 25; // a window plus 2 sends at 80/s, rounded up
        let at: Vec<Millis> = ms.iter().map(|m| m.not_before).collect();
        assert_eq!(
            at,
            vec![
                1_000,
                1_000,
                1_000 + day,
                1_000 + day,
                1_000 + 2 * day,
                1_000
            ]
        );
    }

    #[test]
    fn a_pair_past_its_burst_is_paced() {
        let mut ms: Vec<_> = (0..5).map(|i| msg(i, "+15550001")).collect();
        ms.push(msg(7, "+15550002"));
        let s = Spread {
            per_day: None,
            rate: 80.0,
            pair_burst: 2,
            pair_interval_ms: 6_000,
        };
        assert_eq!(spread(&mut ms, 0, &s), 1);
        let at: Vec<Millis> = ms.iter().map(|m| m.not_before).collect();
        assert_eq!(at, vec![0, 0, 6_000, 12_000, 18_000, 0]);
    }

    #[test]
    fn the_plan_decides_batching_from_the_messages() {
        let ms: Vec<_> = (0..30).map(|i| msg(i, &format!("+1555{i:07}"))).collect();
        let limits = LimitConfig::default();
        // A 25-recipient tier: 20 a day (80 %), two days.
        let (p, out) = plan_and_spread(&ms, 0, &limits, Some(25), 0);
        assert!(p.batched);
        assert_eq!((p.batch_size, p.days), (20, 2));
        assert_eq!(out.iter().filter(|m| m.not_before == 0).count(), 20);
        assert!(out[20..].iter().all(|m| m.not_before > 86_400_000));
        // Unlimited: nothing moves.
        let (p, out) = plan_and_spread(&ms, 0, &limits, None, 0);
        assert!(!p.batched);
        assert!(out.iter().all(|m| m.not_before == 0));
    }
}
