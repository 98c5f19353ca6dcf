//! Quiet hours in the recipient's local time. The zone comes from the
//! contact when stored, else from the number's prefix (libphonenumber's
//! time-zone data, several zones per country where the country has them);
//! a recipient without either (a BSUID) gets the configured fallback — by
//! default the business's own hours — so quiet hours are never skipped silently.

use chrono::{TimeZone, Timelike};
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

/// The deferral quiet hours impose on a recipient at `now`, with its reason.
pub(super) fn quiet_defer(
    q: &QuietHours,
    recipient: &str,
    given: Option<&str>,
    now: Millis,
) -> Option<(Millis, String)> {
    let src = resolve_zone(q, recipient, given)?;
    let until = quiet_until(q, src.zone(), now)?;
    let whose = match src {
        ZoneSource::Contact(_) => "the contact's zone",
        ZoneSource::Number(_) => "the number's zone",
        ZoneSource::Business(_) => "the business's zone; the recipient's is unknown",
    };
    Some((
        until,
        format!(
            "quiet hours {:02}:00–{:02}:00 in {} ({whose})",
            q.start_hour,
            q.end_hour,
            src.zone().name()
        ),
    ))
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
        let (until, reason) = quiet_defer(&q, bsuid, None, now).expect("held");
        assert_eq!(until, 1_767_340_800_000, "2026-01-02T08:00:00Z");
        assert!(reason.contains("the business's zone"), "{reason}");
        assert_eq!(
            resolve_zone(&q, bsuid, Some("Asia/Tokyo")),
            Some(ZoneSource::Contact(chrono_tz::Asia::Tokyo)),
            "a stored zone wins"
        );
        q.unknown_zone = UnknownZone::Send;
        assert_eq!(resolve_zone(&q, bsuid, None), None, "only when configured");
    }
}
