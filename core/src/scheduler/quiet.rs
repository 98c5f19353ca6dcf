//! Quiet hours in the recipient's local time. The zone comes from the
//! contact when stored, else from the number's prefix (libphonenumber's
//! time-zone data, several zones per country where the country has them);
//! a recipient without either (a BSUID) gets the configured fallback — by
//! default the business's own hours — so quiet hours are never skipped silently.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Offset, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// What quiet hours do when the recipient's zone is unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownZone {
    /// Keep the quiet hours in the business's zone (`QuietHours::business_time_zone`).
    #[default]
    BusinessHours,
    /// Send without quiet hours (an explicit choice, named in the config).
    Send,
}

/// Quiet hours in the recipient's local time (`start`..`end`, wrapping midnight).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuietHours {
    /// First quiet hour (e.g. 21).
    pub start_hour: u32,
    /// First allowed hour (e.g. 9).
    pub end_hour: u32,
    /// The business's IANA zone, used when the recipient's is unknown.
    #[serde(default = "utc")]
    pub business_time_zone: String,
    /// What to do when the recipient's zone is unknown.
    #[serde(default)]
    pub unknown_zone: UnknownZone,
}

fn utc() -> String {
    "UTC".into()
}

impl QuietHours {
    /// `start`..`end` with the defaults for unknown zones (the business's hours, in UTC).
    pub fn new(start_hour: u32, end_hour: u32) -> Self {
        QuietHours {
            start_hour,
            end_hour,
            business_time_zone: utc(),
            unknown_zone: UnknownZone::BusinessHours,
        }
    }
}

/// Where a recipient's zone came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneSource {
    /// Stored on the contact.
    Contact(chrono_tz::Tz),
    /// From the number's prefix.
    Number(chrono_tz::Tz),
    /// Unknown: the business's zone applies.
    Business(chrono_tz::Tz),
}

impl ZoneSource {
    /// The zone.
    pub fn zone(self) -> chrono_tz::Tz {
        match self {
            ZoneSource::Contact(z) | ZoneSource::Number(z) | ZoneSource::Business(z) => z,
        }
    }
}

/// The time zone of a recipient: `given` (the contact's) when it parses, else
/// the zone of the number's prefix; `None` for a recipient that is not a
/// number (a BSUID) or a prefix outside libphonenumber's data.
pub fn zone_for(recipient: &str, given: Option<&str>) -> Option<chrono_tz::Tz> {
    given
        .and_then(|g| g.parse::<chrono_tz::Tz>().ok())
        .or_else(|| crate::phone::time_zone_of(recipient))
}

/// The zone quiet hours use for a recipient, with its source; `None` only
/// when the zone is unknown and the config says [`UnknownZone::Send`] (or the
/// business zone does not parse — refused when the engine is built).
pub fn resolve_zone(q: &QuietHours, recipient: &str, given: Option<&str>) -> Option<ZoneSource> {
    if let Some(z) = given.and_then(|g| g.parse::<chrono_tz::Tz>().ok()) {
        return Some(ZoneSource::Contact(z));
    }
    if let Some(z) = crate::phone::time_zone_of(recipient) {
        return Some(ZoneSource::Number(z));
    }
    match q.unknown_zone {
        UnknownZone::BusinessHours => q
            .business_time_zone
            .parse::<chrono_tz::Tz>()
            .ok()
            .map(ZoneSource::Business),
        UnknownZone::Send => None,
    }
}

/// When quiet hours end, if `now` falls inside them.
pub(super) fn quiet_until(q: &QuietHours, tz: chrono_tz::Tz, now: Millis) -> Option<Millis> {
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

/// A quarter hour, in ms: every zone's offset today is a multiple of it.
const QUARTER: Millis = 15 * 60_000;

/// Quiet-hours answers per zone for the latest quarter hour asked about.
///
/// Converting the time into the recipient's zone (and, inside quiet hours,
/// the end back to UTC) is most of a decision's cost, and within one UTC
/// quarter hour the answer is the same for every instant when the zone's
/// offset is the same at both ends of it and a multiple of 15 minutes: the
/// local time then stays inside one local quarter hour, so its hour and date —
/// all [`quiet_until`] reads — do not change. Such answers are kept, one
/// word per zone (quarter-hour tag and answer together, so a racing writer
/// can only replace an answer by another true one); other quarter hours (a
/// transition inside, an odd historical offset) are computed every time. The
/// one assumption: no zone changes its offset and back within 15 minutes.
pub(super) struct QuietCache {
    slots: Box<[AtomicU64]>,
}

impl Default for QuietCache {
    fn default() -> Self {
        QuietCache {
            slots: (0..chrono_tz::TZ_VARIANTS.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }
}

impl QuietCache {
    /// [`quiet_until`], answered from the zone's slot when it holds this quarter hour.
    pub(super) fn until(&self, q: &QuietHours, tz: chrono_tz::Tz, now: Millis) -> Option<Millis> {
        let bucket = now.div_euclid(QUARTER);
        // Tag 0 is an empty slot; quarter hours before 1970 or past u32 are not kept.
        let tag = u64::try_from(bucket + 1)
            .ok()
            .filter(|t| *t <= u64::from(u32::MAX));
        let slot = self.slots.get(tz as usize);
        if let (Some(tag), Some(slot)) = (tag, slot) {
            let v = slot.load(Ordering::Relaxed);
            if v >> 32 == tag {
                let answer = v as u32;
                return (answer != 0).then(|| bucket * QUARTER + (i64::from(answer) - 1) * 1000);
            }
        }
        let until = quiet_until(q, tz, now);
        if let (Some(tag), Some(slot)) = (tag, slot)
            && let Some(answer) = answer_for_quarter(tz, bucket * QUARTER, until)
        {
            slot.store(tag << 32 | u64::from(answer), Ordering::Relaxed);
        }
        until
    }
}

/// `until` as kept for the quarter hour from `start` (0: not quiet, else
/// seconds after `start` plus one), or `None` when that quarter hour's answer
/// may differ by instant (see [`QuietCache`]).
fn answer_for_quarter(tz: chrono_tz::Tz, start: Millis, until: Option<Millis>) -> Option<u32> {
    let offset = |ms: Millis| {
        let utc = chrono::DateTime::from_timestamp_millis(ms)?.naive_utc();
        Some(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
    };
    let first = offset(start)?;
    if offset(start + QUARTER - 1)? != first || first % 900 != 0 {
        return None;
    }
    match until {
        None => Some(0),
        Some(u) if u >= start && (u - start) % 1000 == 0 => {
            u32::try_from((u - start) / 1000 + 1).ok()
        }
        Some(_) => None,
    }
}

/// The deferral quiet hours impose on a recipient at `now`, with the zone
/// (and its source) that decided it: the reason's text is built only for
/// the deferral that wins (`DeferReason::QuietHours`).
pub(super) fn quiet_defer(
    q: &QuietHours,
    cache: &QuietCache,
    recipient: &str,
    given: Option<&str>,
    now: Millis,
) -> Option<(Millis, ZoneSource)> {
    let src = resolve_zone(q, recipient, given)?;
    let until = cache.until(q, src.zone(), now)?;
    Some((until, src))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Example numbers (fixed line and mobile) of every region libphonenumber
    /// knows, generated by `scripts/gen_tz_prefixes.py`.
    const EXAMPLES: &str = include_str!("../../tests/data/phone/region_examples.csv");

    #[test]
    fn every_region_resolves_to_a_zone_from_its_number() {
        let q = QuietHours::new(21, 9);
        let mut regions = std::collections::BTreeSet::new();
        for line in EXAMPLES.lines().skip(1) {
            let mut f = line.split(',');
            let (region, kind, e164) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            match resolve_zone(&q, e164, None) {
                Some(ZoneSource::Number(_)) => {}
                other => panic!("{region} {kind} {e164}: {other:?}"),
            }
            regions.insert(region);
        }
        assert!(regions.len() >= 240, "only {} regions", regions.len());
    }

    #[test]
    fn unknown_zones_take_the_configured_fallback() {
        let bsuid = "US.13491208655302741918";
        let mut q = QuietHours::new(21, 9);
        q.business_time_zone = "Europe/Madrid".into();
        assert_eq!(
            resolve_zone(&q, bsuid, None),
            Some(ZoneSource::Business(chrono_tz::Europe::Madrid))
        );
        // 22:30 in Madrid: held until 09:00 there, and the reason says why.
        let now = 1_767_303_000_000; // 2026-01-01T21:30:00Z
        let cache = QuietCache::default();
        let (until, zone) = quiet_defer(&q, &cache, bsuid, None, now).expect("held");
        assert_eq!(until, 1_767_340_800_000, "2026-01-02T08:00:00Z");
        let reason = super::super::policy::DeferReason::QuietHours {
            start_hour: 21,
            end_hour: 9,
            zone,
        }
        .to_string();
        assert!(reason.contains("the business's zone"), "{reason}");
        assert_eq!(
            resolve_zone(&q, bsuid, Some("Asia/Tokyo")),
            Some(ZoneSource::Contact(chrono_tz::Asia::Tokyo)),
            "a stored zone wins"
        );
        q.unknown_zone = UnknownZone::Send;
        assert_eq!(resolve_zone(&q, bsuid, None), None, "only when configured");
    }

    #[test]
    fn cached_answers_equal_the_computed_ones_across_transitions() {
        // Zones with DST at odd hours and half-hour or 45-minute offsets, on
        // both hemispheres, over a whole year (every transition of 2026),
        // at steps that put two or three instants into most quarter hours.
        let zones = [
            "America/New_York",
            "America/St_Johns",
            "America/Sao_Paulo",
            "America/Santiago",
            "Europe/Madrid",
            "Europe/London",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "Australia/Eucla",
            "Pacific/Chatham",
            "Asia/Kathmandu",
            "Asia/Tehran",
        ];
        let year = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
        for (start_hour, end_hour) in [(21, 9), (1, 3), (22, 2)] {
            let q = QuietHours::new(start_hour, end_hour);
            let cache = QuietCache::default();
            for name in zones {
                let tz: chrono_tz::Tz = name.parse().expect("zone");
                let mut now = year;
                while now < year + 366 * 86_400_000 {
                    assert_eq!(
                        cache.until(&q, tz, now),
                        quiet_until(&q, tz, now),
                        "{name} at {now} ms, quiet {start_hour}-{end_hour}"
                    );
                    now += 6 * 60_000 + 7_001;
                }
            }
        }
    }
}
