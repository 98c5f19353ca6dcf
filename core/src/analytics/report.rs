//! The report: its rows (the JSON contract) and the assembly from the
//! running totals both paths keep.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::anomaly;
use super::clock::{Clock, date};
use super::frt::ThreadTally;
use super::model::{ConversationFact, ReportConfig, StatusFact};
use super::names::{FastMap, Names};
use super::stats::Samples;
use crate::time::Millis;

/// First-response (or handle) time figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FrtStats {
    /// Answered starts (or closed conversations).
    pub n: u64,
    /// Median in seconds (nearest rank); `null` when `n` is 0.
    pub median_s: Option<f64>,
    /// 90th percentile in seconds (nearest rank).
    pub p90_s: Option<f64>,
    /// Starts without a response before the range end (0 for handle time).
    pub unanswered: u64,
}

/// One agent's figures; the row with agent `*` is the whole team.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentRow {
    /// Agent id (`*`: the team).
    pub agent: String,
    /// First responses this agent sent.
    pub frt: FrtStats,
    /// Conversations this agent handled: assigned to the agent and open at
    /// some time in the range (opened before its end, and still open or
    /// resolved at or after its start). The team row counts every one.
    pub handled: u64,
    /// Handle time (opened to resolution) of the conversations this agent
    /// resolved in the range (`unanswered` is always 0).
    pub handle_time: FrtStats,
    /// Conversations opened in the range and still open.
    pub open: u64,
    /// Conversations resolved in the range.
    pub resolved: u64,
    /// Open conversations assigned now.
    pub load: u64,
}

/// One campaign's funnel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    /// Campaign id.
    pub campaign: String,
    /// Messages that got a `sent` status (or a later one), failed ones included.
    pub sent: u64,
    /// Delivered (or read).
    pub delivered: u64,
    /// Read.
    pub read: u64,
    /// Failed.
    pub failed: u64,
    /// Recipients who wrote back within 72 h of a campaign message.
    pub replied: u64,
}

/// Failures of one Graph error code (`null`: failed without a code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRow {
    /// Graph error code.
    pub code: Option<i64>,
    /// How many.
    pub count: u64,
}

/// A hot word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCount {
    /// The token (lowercased; a character bigram for Chinese/Japanese).
    pub word: String,
    /// Occurrences.
    pub count: u64,
}

/// An anomaly flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Which rule.
    pub rule: String,
    /// The business number concerned, when the rule is per number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Days (YYYY-MM-DD, in the report's time zone).
    pub days: Vec<String>,
    /// The value of each day.
    pub values: Vec<f64>,
    /// The threshold each value exceeded.
    pub threshold: f64,
    /// Readable explanation.
    pub detail: String,
}

/// What the report covers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RangeInfo {
    /// Start (RFC 3339), `null`: from the beginning.
    pub from: Option<String>,
    /// End, exclusive (RFC 3339), `null`: everything.
    pub to: Option<String>,
    /// Time zone of days and hours.
    pub tz: String,
    /// Whether automated replies counted as first responses.
    pub include_automated: bool,
}

/// The analytics report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What it covers.
    pub range: RangeInfo,
    /// Team first-response time.
    pub frt: FrtStats,
    /// Per agent, then the team (`*`).
    pub agents: Vec<AgentRow>,
    /// Per campaign.
    pub funnel: Vec<FunnelRow>,
    /// Failures by Graph error code.
    pub failures: Vec<FailureRow>,
    /// 168 inbound counts, Monday 00:00 first.
    pub hour_of_week: Vec<u64>,
    /// Top words in inbound text.
    pub hot_words: Vec<WordCount>,
    /// Flags.
    pub anomalies: Vec<Anomaly>,
    /// CRM sync health, one row per connector and mapping (state at the
    /// time of the report). Absent in reports from before it existed.
    #[serde(default)]
    pub sync: Vec<super::sync::SyncHealthRow>,
}

#[cfg(test)]
pub(crate) fn local(at: Millis, tz: chrono_tz::Tz) -> chrono::DateTime<chrono_tz::Tz> {
    Utc.timestamp_millis_opt(at)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
}

/// The local day of an instant (the reference the cached clock is checked against).
#[cfg(test)]
pub(crate) fn day_of(at: Millis, tz: chrono_tz::Tz) -> NaiveDate {
    local(at, tz).date_naive()
}

/// The hour-of-week bucket (Monday 00:00 = 0) of an instant.
#[cfg(test)]
pub(crate) fn hour_of_week(at: Millis, tz: chrono_tz::Tz) -> usize {
    use chrono::{Datelike, Timelike};
    let t = local(at, tz);
    t.weekday().num_days_from_monday() as usize * 24 + t.hour() as usize
}

/// Running totals, kept by the engine and built in one pass by the recompute.
/// Numbers, agents and campaigns are interned in `names`.
#[derive(Clone, Debug)]
pub(crate) struct Tally {
    pub names: Names,
    pub frt: Samples,
    pub frt_agent: FastMap<u32, Samples>,
    pub unanswered: u64,
    pub hour: Vec<u64>,
    pub words: super::words::WordCounts,
    /// Campaign → sent, delivered, read, failed, messages in range.
    pub funnel: FastMap<u32, [u64; 5]>,
    pub failures: BTreeMap<Option<i64>, u64>,
    /// (day, number) → outbound messages, failed ones.
    pub day_number: FastMap<(i32, u32), (u64, u64)>,
    /// day → starts, starts of complaint-tagged customers.
    pub day_starts: FastMap<i32, (u64, u64)>,
    /// The tokenizer's buffer for normalised text, reused across messages.
    pub scratch: String,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            names: Names::default(),
            frt: Samples::default(),
            frt_agent: FastMap::default(),
            unanswered: 0,
            hour: vec![0; 168],
            words: Default::default(),
            funnel: FastMap::default(),
            failures: BTreeMap::new(),
            day_number: FastMap::default(),
            day_starts: FastMap::default(),
            scratch: String::new(),
        }
    }
}

fn step(v: &mut u64, by: u64, add: bool) {
    if add { *v += by } else { *v -= by }
}

impl Tally {
    /// Add or take back a thread's figures.
    pub fn thread(&mut self, t: &ThreadTally, add: bool) {
        self.answered(&t.answered, add);
        step(&mut self.unanswered, t.waiting.len() as u64, add);
        self.days(&t.days, t.complaint, add);
    }

    /// Replace a thread's contribution `old` by `new`, touching only what
    /// differs: a late message usually changes its last conversation only,
    /// so the shared prefix of answered starts and days stays in place.
    pub fn thread_change(&mut self, old: &ThreadTally, new: &ThreadTally) {
        if old.complaint != new.complaint {
            self.thread(old, false);
            self.thread(new, true);
            return;
        }
        let a = common_prefix(&old.answered, &new.answered);
        self.answered(&old.answered[a..], false);
        self.answered(&new.answered[a..], true);
        self.unanswered = self.unanswered - old.waiting.len() as u64 + new.waiting.len() as u64;
        let d = common_prefix(&old.days, &new.days);
        self.days(&old.days[d..], old.complaint, false);
        self.days(&new.days[d..], new.complaint, true);
    }

    /// Add or take back answered starts: (delay, agent).
    pub fn answered(&mut self, answered: &[(Millis, Option<u32>)], add: bool) {
        for (delay, agent) in answered {
            let agent_samples = agent.map(|a| self.frt_agent.entry(a).or_default());
            if add {
                if let Some(s) = agent_samples {
                    s.add(*delay);
                }
                self.frt.add(*delay);
            } else {
                if let Some(s) = agent_samples {
                    s.remove(*delay);
                }
                self.frt.remove(*delay);
            }
        }
    }

    /// Add or take back conversation starts on local days.
    pub fn days(&mut self, days: &[i32], complaint: bool, add: bool) {
        for d in days {
            let e = self.day_starts.entry(*d).or_default();
            step(&mut e.0, 1, add);
            step(&mut e.1, u64::from(complaint), add);
        }
    }
}

fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Per-message contribution of an outbound message (see `Tally`); numbers
/// and campaigns by interned id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct OutContrib {
    pub funnel: Option<(u32, [u64; 5])>,
    pub failure: Option<Option<i64>>,
    pub day_number: Option<(i32, u32, bool)>,
}

impl Tally {
    /// Add or take back an outbound message's contribution.
    pub fn outbound(&mut self, c: &OutContrib, add: bool) {
        if let Some((campaign, f)) = &c.funnel {
            let e = self.funnel.entry(*campaign).or_default();
            for i in 0..5 {
                step(&mut e[i], f[i], add);
            }
        }
        if let Some(code) = &c.failure {
            step(self.failures.entry(*code).or_default(), 1, add);
        }
        if let Some((d, n, failed)) = c.day_number {
            let e = self.day_number.entry((d, n)).or_default();
            step(&mut e.0, 1, add);
            step(&mut e.1, u64::from(failed), add);
        }
    }

    /// Count an inbound message in range.
    pub fn inbound(&mut self, at: Millis, text: Option<&str>, clock: &mut Clock) {
        self.hour[clock.hour_of_week(at)] += 1;
        if let Some(t) = text {
            self.words.count(t, &mut self.scratch);
        }
    }

    /// A send that failed for good.
    pub fn send_failed(&mut self, code: Option<i64>) {
        *self.failures.entry(code).or_default() += 1;
    }
}

fn rfc3339(at: Option<Millis>) -> Option<String> {
    at.map(|a| {
        Utc.timestamp_millis_opt(a)
            .single()
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

fn handle_stats(durations: &[i64]) -> FrtStats {
    let mut s = Samples::default();
    for d in durations.iter() {
        s.add(*d);
    }
    s.stats(0)
}

/// Build the report from the totals, the replied counts per campaign and the
/// conversations.
pub(crate) fn assemble<'a>(
    cfg: &ReportConfig,
    t: &Tally,
    replied: &BTreeMap<String, u64>,
    conversations: impl Iterator<Item = &'a ConversationFact>,
) -> Report {
    #[derive(Default)]
    struct Conv {
        handle: Vec<i64>,
        handled: u64,
        open: u64,
        resolved: u64,
        load: u64,
    }
    let mut per: BTreeMap<String, Conv> = BTreeMap::new();
    let mut team = Conv::default();
    for c in conversations {
        // Open at some time in the range: opened before its end and not
        // resolved before its start (a closed one without a closing time
        // ended when it opened).
        let ended = (!c.open).then(|| c.closed_at.unwrap_or(c.opened_at));
        let active =
            cfg.before_end(c.opened_at) && ended.is_none_or(|e| cfg.from.is_none_or(|f| e >= f));
        let mut rows: Vec<&mut Conv> = vec![&mut team];
        let agent_row = c.agent.as_ref().map(|a| per.entry(a.clone()).or_default());
        if let Some(r) = agent_row {
            rows.push(r);
        }
        for r in rows {
            r.handled += u64::from(active);
            if c.open {
                if c.agent.is_some() {
                    r.load += 1;
                }
                if cfg.contains(c.opened_at) {
                    r.open += 1;
                }
            } else if let Some(closed) = c.closed_at
                && cfg.contains(closed)
            {
                r.resolved += 1;
                r.handle.push((closed - c.opened_at).max(0));
            }
        }
    }
    let mut frt_agent: BTreeMap<&str, &Samples> = BTreeMap::new();
    for (a, s) in &t.frt_agent {
        if s.len() > 0 {
            let name = t.names.name(*a);
            frt_agent.insert(name, s);
            per.entry(name.to_string()).or_default();
        }
    }
    let mut agents: Vec<AgentRow> = per
        .into_iter()
        .map(|(agent, c)| AgentRow {
            frt: frt_agent
                .get(agent.as_str())
                .map(|s| s.stats(0))
                .unwrap_or_else(|| Samples::default().stats(0)),
            handled: c.handled,
            handle_time: handle_stats(&c.handle),
            open: c.open,
            resolved: c.resolved,
            load: c.load,
            agent,
        })
        .collect();
    let team_frt = t.frt.stats(t.unanswered);
    agents.push(AgentRow {
        agent: "*".into(),
        frt: team_frt.clone(),
        handled: team.handled,
        handle_time: handle_stats(&team.handle),
        open: team.open,
        resolved: team.resolved,
        load: team.load,
    });

    let mut funnel: Vec<FunnelRow> = t
        .funnel
        .iter()
        .filter(|(_, f)| f[4] > 0)
        .map(|(campaign, f)| {
            let campaign = t.names.name(*campaign);
            FunnelRow {
                campaign: campaign.to_string(),
                sent: f[0],
                delivered: f[1],
                read: f[2],
                failed: f[3],
                replied: replied.get(campaign).copied().unwrap_or(0),
            }
        })
        .collect();
    funnel.sort_by(|a, b| a.campaign.cmp(&b.campaign));
    let mut failures: Vec<FailureRow> = t
        .failures
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(code, count)| FailureRow {
            code: *code,
            count: *count,
        })
        .collect();
    failures.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    let mut words: Vec<WordCount> = t
        .words
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| WordCount {
            word: w.to_string(),
            count: n,
        })
        .collect();
    words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    words.truncate(cfg.top);

    let day_starts: BTreeMap<NaiveDate, (u64, u64)> =
        t.day_starts.iter().map(|(d, v)| (date(*d), *v)).collect();
    let day_number: BTreeMap<(NaiveDate, String), (u64, u64)> = t
        .day_number
        .iter()
        .map(|((d, n), v)| ((date(*d), t.names.name(*n).to_string()), *v))
        .collect();
    Report {
        range: RangeInfo {
            from: rfc3339(cfg.from),
            to: rfc3339(cfg.to),
            tz: cfg.tz.name().to_string(),
            include_automated: cfg.include_automated,
        },
        frt: team_frt,
        agents,
        funnel,
        failures,
        hour_of_week: t.hour.clone(),
        hot_words: words,
        anomalies: anomaly::flags(&day_starts, &day_number),
        sync: Vec::new(),
    }
}

/// What an outbound message adds: funnel stages of a campaign message,
/// its failure code, its day and number (for the failure-rate rule); only
/// when its sent time lies in the range. `number` and `campaign` are ids.
pub(crate) fn out_contrib(
    sent_at: Millis,
    st: &StatusFact,
    number: u32,
    campaign: Option<u32>,
    cfg: &ReportConfig,
    clock: &mut Clock,
) -> OutContrib {
    use crate::store::MessageStatus as S;
    if !cfg.contains(sent_at) {
        return OutContrib::default();
    }
    let failed = st.failed();
    OutContrib {
        funnel: campaign.map(|c| {
            (
                c,
                [
                    u64::from(st.reached(S::Sent)),
                    u64::from(st.reached(S::Delivered)),
                    u64::from(st.reached(S::Read)),
                    u64::from(failed),
                    1,
                ],
            )
        }),
        failure: failed.then_some(st.fail_code),
        day_number: Some((clock.day(sent_at), number, failed)),
    }
}

/// Whether an inbound message at one of `inbound_sorted` replies to a
/// campaign message sent at `sent_at`: not before it, within 72 h, before the
/// range end. Webhook times have whole seconds, so a reply in the same
/// second as the send (same timestamp) counts.
pub(crate) fn replied_to(inbound_sorted: &[Millis], sent_at: Millis, cfg: &ReportConfig) -> bool {
    let i = inbound_sorted.partition_point(|t| *t < sent_at);
    inbound_sorted
        .get(i)
        .is_some_and(|t| *t - sent_at <= super::model::REPLY_WINDOW_MS && cfg.before_end(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    const H: Millis = 3_600_000;

    #[test]
    fn replies_count_within_72_hours_after_the_campaign_message() {
        let cfg = ReportConfig::default();
        assert!(
            replied_to(&[100 + 72 * H], 100, &cfg),
            "exactly 72 h counts"
        );
        assert!(
            !replied_to(&[101 + 72 * H], 100, &cfg),
            "after 72 h does not"
        );
        assert!(
            !replied_to(&[50, 99], 100, &cfg),
            "before the send does not"
        );
        assert!(
            replied_to(&[100], 100, &cfg),
            "the same webhook second counts"
        );
        let ended = ReportConfig {
            to: Some(100 + H),
            ..Default::default()
        };
        assert!(
            !replied_to(&[100 + 2 * H], 100, &ended),
            "after the range end"
        );
    }

    #[test]
    fn handled_counts_conversations_open_during_the_range() {
        let cfg = ReportConfig {
            from: Some(10 * H),
            to: Some(20 * H),
            ..Default::default()
        };
        let conv =
            |id: &str, agent: &str, opened: Millis, closed: Option<Millis>| ConversationFact {
                id: id.into(),
                agent: Some(agent.into()),
                open: closed.is_none(),
                opened_at: opened,
                closed_at: closed,
            };
        let convs = [
            // ana: opened before the range and still open; resolved inside;
            // opened and resolved inside.
            conv("a1", "ana", 2 * H, None),
            conv("a2", "ana", 5 * H, Some(12 * H)),
            conv("a3", "ana", 11 * H, Some(13 * H)),
            // ken: resolved before the range; opened after it; open inside.
            conv("k1", "ken", H, Some(9 * H)),
            conv("k2", "ken", 21 * H, None),
            conv("k3", "ken", 15 * H, None),
        ];
        let r = assemble(&cfg, &Tally::default(), &BTreeMap::new(), convs.iter());
        let row = |a: &str| r.agents.iter().find(|x| x.agent == a).unwrap();
        assert_eq!(row("ana").handled, 3);
        assert_eq!(row("ana").resolved, 2);
        assert_eq!(row("ana").handle_time.n, 2);
        assert_eq!(row("ana").handle_time.median_s, Some(2.0 * 3600.0));
        assert_eq!(row("ana").handle_time.p90_s, Some(7.0 * 3600.0));
        assert_eq!(row("ken").handled, 1);
        assert_eq!(row("ken").open, 1);
        assert_eq!(row("ken").load, 2);
        assert_eq!(row("*").handled, 4);
        let json = serde_json::to_value(row("*")).unwrap();
        assert_eq!(json["handled"], 4, "a count, not figures: {json}");
    }

    #[test]
    fn hour_of_week_follows_daylight_saving_time() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // Sunday 29 March 2026: clocks go from 02:00 to 03:00 (01:00 UTC).
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        assert_eq!(hour_of_week(before.timestamp_millis(), tz), 6 * 24 + 1);
        assert_eq!(hour_of_week(after.timestamp_millis(), tz), 6 * 24 + 3);
        // Monday 00:00 local is bucket 0 even though it is Sunday in UTC.
        let monday = Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap();
        assert_eq!(hour_of_week(monday.timestamp_millis(), tz), 0);
        assert_eq!(
            day_of(monday.timestamp_millis(), tz).to_string(),
            "2026-03-30"
        );
    }
}
