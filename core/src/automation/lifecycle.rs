//! Lifecycle segments from the contact's recent history: high intent (many
//! product inquiries in a short window), follow up weekly (a few interactions
//! in a month), dormant (silent for a long time). The engine applies them on
//! every message and [`super::Engine::lifecycle_pass`] on a schedule, so
//! silence (which produces no message) still moves contacts to dormant.

use std::collections::BTreeSet;

use super::rules::LifecycleConfig;
use super::state::ContactState;
use crate::time::Millis;

/// The segments a contact belongs to at `now`.
pub fn segments_for(cs: &ContactState, now: Millis, cfg: &LifecycleConfig) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let within = |times: &[Millis], window: std::time::Duration| {
        let w = window.as_millis() as Millis;
        times.iter().filter(|t| now - **t < w && **t <= now).count() as u32
    };
    if within(&cs.inquiries, cfg.high_intent_window) >= cfg.high_intent_inquiries {
        out.insert(cfg.high_intent_tag.clone());
    }
    let n = within(&cs.inbound, cfg.follow_up_window);
    if (cfg.follow_up_min..=cfg.follow_up_max).contains(&n) {
        out.insert(cfg.follow_up_tag.clone());
    }
    if let Some(last) = cs.last_inbound_at
        && now - last >= cfg.dormant_after.as_millis() as Millis
    {
        out.insert(cfg.dormant_tag.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    fn cs(inbound: &[Millis], inquiries: &[Millis]) -> ContactState {
        ContactState {
            inbound: inbound.to_vec(),
            inquiries: inquiries.to_vec(),
            last_inbound_at: inbound.iter().max().copied(),
            ..Default::default()
        }
    }

    #[test]
    fn high_intent_needs_three_inquiries_within_seven_days() {
        let cfg = LifecycleConfig::default();
        let now = 100 * DAY;
        let s = segments_for(
            &cs(&[now - DAY, now], &[now - 6 * DAY, now - DAY, now]),
            now,
            &cfg,
        );
        assert!(s.contains("high-intent"));
        let s = segments_for(&cs(&[now], &[now - 8 * DAY, now - DAY, now]), now, &cfg);
        assert!(!s.contains("high-intent"));
    }

    #[test]
    fn follow_up_for_one_or_two_interactions_in_thirty_days() {
        let cfg = LifecycleConfig::default();
        let now = 100 * DAY;
        assert!(segments_for(&cs(&[now - 20 * DAY], &[]), now, &cfg).contains("follow-up-weekly"));
        assert!(
            segments_for(&cs(&[now - 20 * DAY, now], &[]), now, &cfg).contains("follow-up-weekly")
        );
        assert!(
            !segments_for(&cs(&[now - 2, now - 1, now], &[]), now, &cfg)
                .contains("follow-up-weekly")
        );
        assert!(!segments_for(&cs(&[now - 31 * DAY], &[]), now, &cfg).contains("follow-up-weekly"));
    }

    #[test]
    fn dormant_after_sixty_silent_days() {
        let cfg = LifecycleConfig::default();
        let now = 100 * DAY;
        assert!(segments_for(&cs(&[now - 60 * DAY], &[]), now, &cfg).contains("dormant"));
        assert!(!segments_for(&cs(&[now - 59 * DAY], &[]), now, &cfg).contains("dormant"));
        // A contact who never wrote is not "dormant": there was no reply to miss.
        assert!(segments_for(&ContactState::default(), now, &cfg).is_empty());
    }
}
