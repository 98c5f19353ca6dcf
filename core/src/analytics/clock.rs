//! Local days and hours of instants in the report's time zone, with a small
//! cache of UTC offsets: both paths bucket millions of instants, and a
//! chrono-tz conversion per instant (a search of the zone's transitions plus
//! a calendar conversion) dominated the recompute.

use chrono::{NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::time::Millis;

const DAY_MS: Millis = 86_400_000;
const HOUR_MS: Millis = 3_600_000;
/// Offsets are cached per quarter hour of UTC time. A bucket whose two ends
/// have the same offset is taken to have it throughout: no zone changes its
/// offset twice within 15 minutes. A bucket holding a transition is
/// converted exactly, instant by instant.
const BUCKET_MS: Millis = 15 * 60_000;
const SLOTS: usize = 1024;

/// 1970-01-01 was a Thursday: days from Monday of the epoch day.
const EPOCH_WEEKDAY: i64 = 3;

#[derive(Clone, Copy)]
struct Slot {
    bucket: i64,
    /// Offset in ms, when the whole bucket has one.
    offset: Option<Millis>,
}

/// Converts instants to local days (days since 1970-01-01, local calendar)
/// and hour-of-week buckets in one time zone.
#[derive(Clone)]
pub(crate) struct Clock {
    tz: Tz,
    utc: bool,
    slots: Vec<Slot>,
}

impl Clock {
    /// A clock for `tz`.
    pub fn new(tz: Tz) -> Self {
        Clock {
            tz,
            utc: tz == Tz::UTC,
            slots: vec![
                Slot {
                    bucket: i64::MIN,
                    offset: None,
                };
                SLOTS
            ],
        }
    }

    fn exact_offset(&self, at: Millis) -> Millis {
        let utc = Utc.timestamp_millis_opt(at).single().unwrap_or_default();
        let off = self.tz.offset_from_utc_datetime(&utc.naive_utc());
        i64::from(off.fix().local_minus_utc()) * 1000
    }

    /// The zone's UTC offset at `at`, in ms.
    pub fn offset(&mut self, at: Millis) -> Millis {
        if self.utc {
            return 0;
        }
        let bucket = at.div_euclid(BUCKET_MS);
        let slot = bucket.rem_euclid(SLOTS as i64) as usize;
        if self.slots[slot].bucket != bucket {
            let start = bucket.saturating_mul(BUCKET_MS);
            let a = self.exact_offset(start);
            let b = self.exact_offset(start.saturating_add(BUCKET_MS - 1));
            self.slots[slot] = Slot {
                bucket,
                offset: (a == b).then_some(a),
            };
        }
        match self.slots[slot].offset {
            Some(o) => o,
            None => self.exact_offset(at),
        }
    }

    /// The local day of `at`, as days since 1970-01-01.
    pub fn day(&mut self, at: Millis) -> i32 {
        (at.saturating_add(self.offset(at))).div_euclid(DAY_MS) as i32
    }

    /// The hour-of-week bucket of `at` (Monday 00:00 = 0).
    pub fn hour_of_week(&mut self, at: Millis) -> usize {
        let local = at.saturating_add(self.offset(at));
        let day = local.div_euclid(DAY_MS);
        let weekday = (day + EPOCH_WEEKDAY).rem_euclid(7);
        (weekday * 24 + local.rem_euclid(DAY_MS) / HOUR_MS) as usize
    }
}

/// The calendar date of a day number from [`Clock::day`].
pub(crate) fn date(day: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(day))))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::report::{day_of, hour_of_week};

    /// Every 7 minutes over two years, in zones with DST, half-hour and
    /// 45-minute offsets: the cached clock agrees with chrono-tz.
    #[test]
    fn agrees_with_chrono_tz_across_transitions() {
        let start = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        for name in [
            "Europe/Berlin",
            "America/Sao_Paulo",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "America/Havana",
            "UTC",
        ] {
            let tz: Tz = name.parse().unwrap();
            let mut c = Clock::new(tz);
            let mut at = start;
            while at < start + 2 * 366 * DAY_MS {
                assert_eq!(date(c.day(at)), day_of(at, tz), "{name} {at}");
                assert_eq!(c.hour_of_week(at), hour_of_week(at, tz), "{name} {at}");
                at += 7 * 60_000 + 13;
            }
        }
    }
}
