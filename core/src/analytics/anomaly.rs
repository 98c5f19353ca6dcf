//! Anomaly flags. Each names its rule, the days and the values:
//! - `complaint_share`: conversations of customers tagged `complaint` above
//!   5 % of the day's conversation starts, three or more days in a row (one
//!   flag per run).
//! - `failure_rate_spike`: a number's failure rate on a day above the mean of
//!   its previous 7 days by more than 3 standard deviations (at least 3 of
//!   those days must have traffic, and the day must have a failure).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::report::Anomaly;

/// Share above which a day counts for the complaint rule.
const COMPLAINT_SHARE: f64 = 0.05;
/// Days in a row the complaint rule needs.
const COMPLAINT_RUN: usize = 3;
/// Days of history the failure rule compares with.
const FAILURE_WINDOW: i64 = 7;
/// Days of that history that must have traffic.
const FAILURE_MIN_HISTORY: usize = 3;

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// All flags, complaint runs first, then failure spikes by number and day.
pub(crate) fn flags(
    day_starts: &BTreeMap<NaiveDate, (u64, u64)>,
    day_number: &BTreeMap<(NaiveDate, String), (u64, u64)>,
) -> Vec<Anomaly> {
    let mut out = complaint_runs(day_starts);
    out.extend(failure_spikes(day_number));
    out
}

fn complaint_runs(day_starts: &BTreeMap<NaiveDate, (u64, u64)>) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let mut run: Vec<(NaiveDate, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(NaiveDate, f64)>| {
        if run.len() >= COMPLAINT_RUN {
            out.push(Anomaly {
                rule: "complaint_share".into(),
                number: None,
                days: run.iter().map(|(d, _)| d.to_string()).collect(),
                values: run.iter().map(|(_, v)| round4(*v)).collect(),
                threshold: COMPLAINT_SHARE,
                detail: format!(
                    "complaint-tagged conversations above {:.0} % of the day's conversations {} days in a row",
                    COMPLAINT_SHARE * 100.0,
                    run.len()
                ),
            });
        }
        run.clear();
    };
    for (day, (starts, complaints)) in day_starts {
        if *starts == 0 {
            continue;
        }
        let share = *complaints as f64 / *starts as f64;
        let consecutive = run.last().is_none_or(|(d, _)| d.succ_opt() == Some(*day));
        if !consecutive {
            flush(&mut run);
        }
        if share > COMPLAINT_SHARE {
            run.push((*day, share));
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out
}

fn failure_spikes(day_number: &BTreeMap<(NaiveDate, String), (u64, u64)>) -> Vec<Anomaly> {
    let mut by_number: BTreeMap<&str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    let mut failed_on: BTreeMap<(&str, NaiveDate), u64> = BTreeMap::new();
    for ((day, number), (sent, failed)) in day_number {
        if *sent == 0 {
            continue;
        }
        by_number
            .entry(number)
            .or_default()
            .insert(*day, *failed as f64 / *sent as f64);
        failed_on.insert((number, *day), *failed);
    }
    let mut out = Vec::new();
    for (number, days) in by_number {
        for (day, rate) in &days {
            if failed_on.get(&(number, *day)).copied().unwrap_or(0) == 0 {
                continue;
            }
            let history: Vec<f64> = (1..=FAILURE_WINDOW)
                .filter_map(|k| {
                    let d = *day - chrono::Duration::days(k);
                    days.get(&d).copied()
                })
                .collect();
            if history.len() < FAILURE_MIN_HISTORY {
                continue;
            }
            let mean = history.iter().sum::<f64>() / history.len() as f64;
            let var =
                history.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / history.len() as f64;
            let threshold = mean + 3.0 * var.sqrt();
            if *rate > threshold {
                out.push(Anomaly {
                    rule: "failure_rate_spike".into(),
                    number: Some(number.to_string()),
                    days: vec![day.to_string()],
                    values: vec![round4(*rate)],
                    threshold: round4(threshold),
                    detail: format!(
                        "failure rate {:.1} % above the previous {} days' mean {:.1} % + 3σ ({:.1} %)",
                        rate * 100.0,
                        history.len(),
                        mean * 100.0,
                        threshold * 100.0
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn three_days_in_a_row_above_five_percent() {
        let mut m = BTreeMap::new();
        m.insert(d(1), (100, 6));
        m.insert(d(2), (100, 7));
        m.insert(d(3), (50, 3));
        m.insert(d(4), (100, 5)); // exactly 5 %: not above
        m.insert(d(5), (100, 9));
        m.insert(d(6), (100, 9));
        let f = complaint_runs(&m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].days, ["2026-03-01", "2026-03-02", "2026-03-03"]);
        assert_eq!(f[0].values, [0.06, 0.07, 0.06]);
    }

    #[test]
    fn a_gap_day_breaks_the_run() {
        let mut m = BTreeMap::new();
        m.insert(d(1), (10, 5));
        m.insert(d(2), (10, 5));
        m.insert(d(4), (10, 5));
        assert!(complaint_runs(&m).is_empty());
    }

    #[test]
    fn failure_spike_over_three_sigma() {
        let mut m = BTreeMap::new();
        for (i, f) in [2u64, 3, 2, 3, 2, 3, 2].iter().enumerate() {
            m.insert((d(1 + i as u32), "pn".to_string()), (100, *f));
        }
        m.insert((d(8), "pn".to_string()), (100, 3));
        m.insert((d(9), "pn".to_string()), (100, 30));
        let f = failure_spikes(&m);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].days, ["2026-03-09"]);
        assert_eq!(f[0].number.as_deref(), Some("pn"));
        assert_eq!(f[0].values, [0.3]);
    }
}
