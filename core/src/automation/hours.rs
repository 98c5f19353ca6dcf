//! Business hours: weekly opening times in an IANA time zone, holidays, and the
//! next opening time. Local times are resolved through `chrono-tz`, so a week
//! that crosses a daylight-saving change still opens at 9:00 local.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::i18n::{self, Lang};

/// One opening interval of a day: `[open, close)`; `close = None` is midnight (24:00).
pub type Interval = (NaiveTime, Option<NaiveTime>);

/// Weekly hours, holidays and a time zone.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessHours {
    /// Zone the hours are written in.
    pub tz: Tz,
    /// Intervals per weekday, Monday first; an empty day is closed.
    pub weekly: [Vec<Interval>; 7],
    /// Closed all day on these local dates.
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// Closed every day, in `tz`.
    pub fn new(tz: Tz) -> Self {
        BusinessHours {
            tz,
            weekly: Default::default(),
            holidays: BTreeSet::new(),
        }
    }

    /// Set one day's hours from text like `"08:00-17:00"` or `"08:00-12:00,13:00-18:00"`.
    pub fn day(mut self, day: chrono::Weekday, spec: &str) -> crate::Result<Self> {
        self.weekly[day.num_days_from_monday() as usize] =
            parse_day(spec).map_err(|r| crate::Error::Config(format!("hours {spec:?}: {r}")))?;
        Ok(self)
    }

    /// Add a holiday.
    pub fn holiday(mut self, d: NaiveDate) -> Self {
        self.holidays.insert(d);
        self
    }

    /// Whether the business is open at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz);
        let date = local.date_naive();
        if self.holidays.contains(&date) {
            return false;
        }
        let t = local.time();
        self.weekly[date.weekday().num_days_from_monday() as usize]
            .iter()
            .any(|(open, close)| t >= *open && close.is_none_or(|c| t < c))
    }

    /// The next time the business opens (`at` itself when open now); `None`
    /// when no day of the week has hours.
    pub fn next_open(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(at) {
            return Some(at);
        }
        let today = at.with_timezone(&self.tz).date_naive();
        // A year and a week covers any holiday list on top of a weekly pattern.
        for d in 0..372 {
            let date = today + ChronoDuration::days(d);
            if self.holidays.contains(&date) {
                continue;
            }
            let mut opens: Vec<NaiveTime> = self.weekly
                [date.weekday().num_days_from_monday() as usize]
                .iter()
                .map(|(o, _)| *o)
                .collect();
            opens.sort();
            for o in opens {
                let instant = self.resolve(date, o);
                if instant > at {
                    return Some(instant);
                }
            }
        }
        None
    }

    /// The next opening time rendered for a customer: "9:00 tomorrow",
    /// "mañana a las 9:00", "明日 9:00"; "now" while open.
    pub fn render_next_open(&self, at: DateTime<Utc>, lang: Lang) -> Option<String> {
        if self.is_open(at) {
            return Some(i18n::now_word(lang).to_string());
        }
        let next = self.next_open(at)?.with_timezone(&self.tz);
        let today = at.with_timezone(&self.tz).date_naive();
        Some(i18n::opening(today, next.date_naive(), next.time(), lang))
    }

    /// A local wall time as an instant. In a spring-forward gap the clock has
    /// skipped the time, so the first valid instant after it is used; in an
    /// autumn overlap the earlier one.
    fn resolve(&self, date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
        let mut ndt = date.and_time(t);
        for _ in 0..4 {
            if let Some(x) = self.tz.from_local_datetime(&ndt).earliest() {
                return x.with_timezone(&Utc);
            }
            ndt += ChronoDuration::minutes(30);
        }
        Utc.from_utc_datetime(&ndt)
    }
}

/// Parse `"08:00-17:00"`, several ranges separated by commas, or `"closed"`.
pub fn parse_day(spec: &str) -> Result<Vec<Interval>, String> {
    let spec = spec.trim();
    if spec.is_empty() || spec == "closed" {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (a, b) = part
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("{part:?} is not a range like 08:00-17:00"))?;
        let open = parse_time(a).ok_or_else(|| format!("unknown time {:?}", a.trim()))?;
        let close = if b.trim() == "24:00" {
            None
        } else {
            Some(parse_time(b).ok_or_else(|| format!("unknown time {:?}", b.trim()))?)
        };
        if let Some(c) = close
            && c <= open
        {
            return Err(format!(
                "{:?} closes before it opens (split overnight hours over two days)",
                part.trim()
            ));
        }
        out.push((open, close));
    }
    Ok(out)
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn weekdays(tz: Tz) -> BusinessHours {
        let mut h = BusinessHours::new(tz);
        for d in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            h = h.day(d, "09:00-17:00").unwrap();
        }
        h
    }

    #[test]
    fn open_closed_and_next_open() {
        let h = weekdays(chrono_tz::America::Sao_Paulo);
        // Wednesday 2026-03-04 10:00 local (UTC-3).
        assert!(h.is_open(utc("2026-03-04T13:00:00Z")));
        // 22:00 local: closed, opens 9:00 tomorrow.
        let late = utc("2026-03-05T01:00:00Z");
        assert!(!h.is_open(late));
        assert_eq!(h.next_open(late), Some(utc("2026-03-05T12:00:00Z")));
        assert_eq!(h.render_next_open(late, Lang::En).unwrap(), "9:00 tomorrow");
        assert_eq!(
            h.render_next_open(late, Lang::Pt).unwrap(),
            "amanhã às 9:00"
        );
        // Friday evening → Monday.
        let fri = utc("2026-03-06T22:00:00Z");
        assert_eq!(
            h.render_next_open(fri, Lang::Es).unwrap(),
            "el lunes a las 9:00"
        );
        // Early morning: today.
        let early = utc("2026-03-04T09:00:00Z"); // 06:00 local
        assert_eq!(h.render_next_open(early, Lang::Ja).unwrap(), "今日 9:00");
        assert_eq!(
            h.render_next_open(utc("2026-03-04T13:00:00Z"), Lang::Zh)
                .unwrap(),
            "现在"
        );
    }

    #[test]
    fn dst_changes_keep_local_opening_time() {
        // New York springs forward on Sunday 2026-03-08: 9:00 EST is 14:00 UTC on
        // Friday, 9:00 EDT is 13:00 UTC on Monday.
        let h = weekdays(chrono_tz::America::New_York);
        let fri_evening = utc("2026-03-06T23:00:00Z");
        assert_eq!(h.next_open(fri_evening), Some(utc("2026-03-09T13:00:00Z")));
        assert!(h.is_open(utc("2026-03-09T13:30:00Z")));
        assert!(!h.is_open(utc("2026-03-06T13:30:00Z"))); // 8:30 EST
        // And back in autumn: Sunday 2026-11-01.
        let fri = utc("2026-10-30T22:00:00Z");
        assert_eq!(h.next_open(fri), Some(utc("2026-11-02T14:00:00Z")));
    }

    #[test]
    fn opening_inside_a_spring_forward_gap() {
        // 02:30 does not exist on 2026-03-08 in New York; the first valid time after it is used.
        let h = BusinessHours::new(chrono_tz::America::New_York)
            .day(Weekday::Sun, "02:30-05:00")
            .unwrap();
        let sat = utc("2026-03-07T12:00:00Z");
        assert_eq!(h.next_open(sat), Some(utc("2026-03-08T07:00:00Z"))); // 03:00 EDT
    }

    #[test]
    fn holidays_close_the_day() {
        let h = weekdays(chrono_tz::America::Sao_Paulo)
            .holiday(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap());
        // Christmas (a Friday), 10:00 local: closed; next open Monday 28th.
        let xmas = utc("2026-12-25T13:00:00Z");
        assert!(!h.is_open(xmas));
        assert_eq!(h.next_open(xmas), Some(utc("2026-12-28T12:00:00Z")));
        // Thursday evening: skips the holiday.
        assert_eq!(
            h.render_next_open(utc("2026-12-24T22:00:00Z"), Lang::En)
                .unwrap(),
            "9:00 on Monday"
        );
    }

    #[test]
    fn day_specs() {
        assert_eq!(parse_day("closed").unwrap(), vec![]);
        assert_eq!(parse_day("08:00-12:00, 13:00-24:00").unwrap().len(), 2);
        assert!(parse_day("17:00-08:00").is_err());
        assert!(parse_day("8am-5pm").is_err());
        assert!(parse_day("25:00-26:00").is_err());
        assert!(
            BusinessHours::new(chrono_tz::UTC)
                .next_open(Utc::now())
                .is_none()
        );
    }
}
