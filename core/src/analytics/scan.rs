//! The recompute over facts in memory, on every core:
//! 1. chunks of facts in parallel: per-message figures (hour of week, words,
//!    funnel stages, failures, outbound per day and number) into partial
//!    totals keyed by borrowed names, and a 24-byte row per message (thread
//!    hash, time, index, flags), grouped by a counting sort into `PARTS`
//!    partitions by its thread hash;
//! 2. partitions in parallel: sort rows by (thread hash, time, id), so each
//!    thread is a run of rows in time order, and walk every thread once for
//!    its conversation starts, first responses and campaign replies;
//! 3. merge the partial totals (names interned once, per distinct name).
//!
//! Rows of equal hash are checked to be one thread (same number and
//! customer); a collision splits the run by name, so the grouping is exact.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use rayon::prelude::*;

use super::clock::Clock;
use super::model::{MessageFact, ReportConfig, START_GAP_MS, sent_time};
use super::names::FastMap;
use super::report::{Tally, replied_to};
use super::stats::Samples;
use crate::store::MessageStatus as S;
use crate::time::Millis;

/// Partitions of the thread rows (a power of two). Many, so that each
/// partition's rows (about 1 MB at 10 M messages) sort inside a core's
/// cache: with 16, sorting partitions of 15 MB was a quarter of the time.
const PARTS: usize = 256;
/// Shift that leaves a hash's top bits, the partition.
const PART_SHIFT: u32 = 64 - PARTS.trailing_zeros();
/// Facts per chunk of step 1.
const CHUNK: usize = 1 << 16;

const INBOUND: u8 = 1;
const RESPONDS: u8 = 2;
const CAMPAIGN: u8 = 4;
const COMPLAINT: u8 = 8;

#[derive(Clone, Copy)]
struct Row {
    hash: u64,
    at: Millis,
    ix: u32,
    flags: u8,
}

/// The thread hash: number and customer.
pub(crate) fn thread_hash(number: &str, customer: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x7a11).hash_one((number, customer))
}

/// The time a fact sorts by: inbound time, or an outbound sent time.
pub(crate) fn time_of(f: &MessageFact) -> Millis {
    if f.inbound {
        f.at
    } else {
        sent_time(f.at, &f.status)
    }
}

/// Per-message figures of one chunk, keyed by borrowed names.
#[derive(Default)]
struct Messages<'a> {
    hour: Vec<u64>,
    words: super::words::WordCounts,
    funnel: FastMap<&'a str, [u64; 5]>,
    failures: BTreeMap<Option<i64>, u64>,
    day_number: FastMap<(i32, &'a str), (u64, u64)>,
}

impl<'a> Messages<'a> {
    fn merge(mut self, o: Messages<'a>) -> Self {
        for (h, n) in self.hour.iter_mut().zip(&o.hour) {
            *h += n;
        }
        self.words.merge(o.words);
        for (c, f) in o.funnel {
            let e = self.funnel.entry(c).or_default();
            for i in 0..5 {
                e[i] += f[i];
            }
        }
        for (c, n) in o.failures {
            *self.failures.entry(c).or_default() += n;
        }
        for (k, (a, b)) in o.day_number {
            let e = self.day_number.entry(k).or_default();
            e.0 += a;
            e.1 += b;
        }
        self
    }
}

/// Per-thread figures of one partition.
#[derive(Default)]
struct Threads<'a> {
    team: Vec<Millis>,
    agents: FastMap<&'a str, Vec<Millis>>,
    unanswered: u64,
    day_starts: FastMap<i32, (u64, u64)>,
    replied: FastMap<&'a str, u64>,
}

fn scan_chunk<'a>(
    facts: &'a [MessageFact],
    base: usize,
    cfg: &ReportConfig,
    hash: &(impl Fn(&str, &str) -> u64 + Sync),
) -> (Messages<'a>, Parted) {
    let mut clock = Clock::new(cfg.tz);
    let mut m = Messages {
        hour: vec![0; 168],
        ..Default::default()
    };
    let mut rows: Vec<Row> = Vec::with_capacity(facts.len());
    let mut scratch = String::new();
    for (k, f) in facts.iter().enumerate() {
        let at = time_of(f);
        if f.inbound {
            if cfg.contains(at) {
                m.hour[clock.hour_of_week(at)] += 1;
                // No hot words asked for: no tokenizing (half of the work).
                if let Some(t) = f.text.as_deref().filter(|_| cfg.top > 0) {
                    m.words.count(t, &mut scratch);
                }
            }
        } else if cfg.contains(at) {
            let st = &f.status;
            let failed = st.failed();
            if let Some(c) = &f.campaign {
                let e = m.funnel.entry(c.as_str()).or_default();
                e[0] += u64::from(st.reached(S::Sent));
                e[1] += u64::from(st.reached(S::Delivered));
                e[2] += u64::from(st.reached(S::Read));
                e[3] += u64::from(failed);
                e[4] += 1;
            }
            if failed {
                *m.failures.entry(st.fail_code).or_default() += 1;
            }
            let e = m
                .day_number
                .entry((clock.day(at), f.number.as_str()))
                .or_default();
            e.0 += 1;
            e.1 += u64::from(failed);
        }
        let h = hash(&f.number, &f.customer);
        let responds = !f.inbound && (cfg.include_automated || !f.automated);
        let flags = if f.inbound { INBOUND } else { 0 }
            | if responds { RESPONDS } else { 0 }
            | if f.campaign.is_some() && !f.inbound {
                CAMPAIGN
            } else {
                0
            }
            | if f.complaint { COMPLAINT } else { 0 };
        rows.push(Row {
            hash: h,
            at,
            ix: (base + k) as u32,
            flags,
        });
    }
    (m, Parted::new(rows))
}

/// A chunk's rows grouped by partition: `rows[ends[p - 1]..ends[p]]` is
/// partition `p` (exact sizes, one allocation, no per-partition vectors).
struct Parted {
    rows: Vec<Row>,
    ends: Vec<usize>,
}

impl Parted {
    fn new(rows: Vec<Row>) -> Parted {
        let (rows, ends) = counting_sort(&rows, PARTS, |r| (r.hash >> PART_SHIFT) as usize);
        Parted { rows, ends }
    }

    fn part(&self, p: usize) -> &[Row] {
        let start = if p == 0 { 0 } else { self.ends[p - 1] };
        &self.rows[start..self.ends[p]]
    }
}

/// `rows` grouped by `key` (below `buckets`), each group keeping the rows'
/// order, and the end of each group.
fn counting_sort(
    rows: &[Row],
    buckets: usize,
    key: impl Fn(&Row) -> usize,
) -> (Vec<Row>, Vec<usize>) {
    let mut ends = vec![0usize; buckets];
    for r in rows {
        ends[key(r)] += 1;
    }
    let mut at = 0;
    for e in ends.iter_mut() {
        at += *e;
        *e = at;
    }
    // Fill each group from its end, walking the rows backwards.
    let blank = Row {
        hash: 0,
        at: 0,
        ix: 0,
        flags: 0,
    };
    let mut out = vec![blank; rows.len()];
    let mut next = ends.clone();
    for r in rows.iter().rev() {
        let k = key(r);
        next[k] -= 1;
        out[next[k]] = *r;
    }
    (out, ends)
}

/// Buffers reused from thread to thread.
#[derive(Default)]
struct Scratch<'a> {
    inbound: Vec<Millis>,
    waiting: Vec<Millis>,
    replied: Vec<&'a str>,
}

/// Walk one thread (rows sorted by time, then id).
fn walk_thread<'a>(
    rows: &[Row],
    facts: &'a [MessageFact],
    cfg: &ReportConfig,
    clock: &mut Clock,
    out: &mut Threads<'a>,
    scratch: &mut Scratch<'a>,
) {
    let Scratch {
        inbound,
        waiting,
        replied,
    } = scratch;
    let complaint = rows.iter().any(|r| r.flags & COMPLAINT != 0);
    let mut prev: Option<Millis> = None;
    waiting.clear();
    for r in rows {
        if !cfg.before_end(r.at) {
            break;
        }
        if r.flags & INBOUND != 0 {
            if prev.is_none_or(|p| r.at - p >= START_GAP_MS) && cfg.contains(r.at) {
                let e = out.day_starts.entry(clock.day(r.at)).or_default();
                e.0 += 1;
                e.1 += u64::from(complaint);
                waiting.push(r.at);
            }
        } else if r.flags & RESPONDS != 0 && !waiting.is_empty() {
            let agent = facts[r.ix as usize].agent.as_deref();
            for w in waiting.drain(..) {
                out.team.push(r.at - w);
                if let Some(a) = agent {
                    out.agents.entry(a).or_default().push(r.at - w);
                }
            }
        }
        prev = Some(r.at);
    }
    out.unanswered += waiting.len() as u64;

    if rows.iter().all(|r| r.flags & CAMPAIGN == 0) {
        return;
    }
    inbound.clear();
    inbound.extend(rows.iter().filter(|r| r.flags & INBOUND != 0).map(|r| r.at));
    replied.clear();
    for r in rows {
        if r.flags & CAMPAIGN != 0
            && cfg.contains(r.at)
            && replied_to(inbound, r.at, cfg)
            && let Some(c) = &facts[r.ix as usize].campaign
        {
            replied.push(c.as_str());
        }
    }
    replied.sort_unstable();
    replied.dedup();
    for c in replied.iter() {
        *out.replied.entry(c).or_default() += 1;
    }
}

fn same_thread(a: &MessageFact, b: &MessageFact) -> bool {
    a.number == b.number && a.customer == b.customer
}

/// Rows of one partition in (thread hash, time, id) order: a counting sort
/// by the hash's next bits into buckets of a few dozen rows, then each bucket
/// sorted on its own. The hash orders first, so the buckets in turn are in
/// order; a few comparisons per row replace a sort of the whole partition.
fn sort_rows(rows: Vec<Row>, facts: &[MessageFact]) -> Vec<Row> {
    let bits = (rows.len() / 32).max(1).ilog2().min(16);
    let shift = PART_SHIFT - bits;
    let mask = (1usize << bits) - 1;
    let (mut out, ends) = counting_sort(&rows, mask + 1, |r| (r.hash >> shift) as usize & mask);
    let mut start = 0;
    for &end in &ends {
        out[start..end].sort_unstable_by(|a, b| {
            (a.hash, a.at)
                .cmp(&(b.hash, b.at))
                .then_with(|| facts[a.ix as usize].id.cmp(&facts[b.ix as usize].id))
                .then(a.ix.cmp(&b.ix))
        });
        start = end;
    }
    out
}

fn scan_part<'a>(rows: Vec<Row>, facts: &'a [MessageFact], cfg: &ReportConfig) -> Threads<'a> {
    let mut rows = sort_rows(rows, facts);
    let mut clock = Clock::new(cfg.tz);
    let mut out = Threads::default();
    let mut scratch = Scratch::default();
    let mut i = 0;
    while i < rows.len() {
        let h = rows[i].hash;
        let first = &facts[rows[i].ix as usize];
        let mut j = i + 1;
        let mut collision = false;
        while j < rows.len() && rows[j].hash == h {
            collision |= !same_thread(first, &facts[rows[j].ix as usize]);
            j += 1;
        }
        let run = &mut rows[i..j];
        if collision {
            // Different threads with one hash: a stable sort by name keeps
            // each thread's rows in (time, id) order.
            run.sort_by(|a, b| {
                let (fa, fb) = (&facts[a.ix as usize], &facts[b.ix as usize]);
                (&fa.number, &fa.customer).cmp(&(&fb.number, &fb.customer))
            });
            let mut k = 0;
            while k < run.len() {
                let f = &facts[run[k].ix as usize];
                let mut e = k + 1;
                while e < run.len() && same_thread(f, &facts[run[e].ix as usize]) {
                    e += 1;
                }
                let run = &run[k..e];
                walk_thread(run, facts, cfg, &mut clock, &mut out, &mut scratch);
                k = e;
            }
        } else {
            walk_thread(run, facts, cfg, &mut clock, &mut out, &mut scratch);
        }
        i = j;
    }
    out
}

/// Samples from unsorted values (sorted when a report reads them).
fn samples(v: Vec<Millis>) -> Samples {
    Samples::from_values(v)
}

/// The totals and the replied counts per campaign for `facts` under `cfg`,
/// grouping threads by `hash` (the thread hash; tests pass a colliding one).
pub(crate) fn scan(
    facts: &[MessageFact],
    cfg: &ReportConfig,
    hash: impl Fn(&str, &str) -> u64 + Sync,
) -> (Tally, BTreeMap<String, u64>) {
    assert!(facts.len() < u32::MAX as usize, "rows are indexed by u32");
    let (chunk_messages, parted): (Vec<Messages>, Vec<Parted>) = facts
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| scan_chunk(chunk, c * CHUNK, cfg, &hash))
        .unzip();
    let mut messages = Messages {
        hour: vec![0; 168],
        ..Default::default()
    };
    for m in chunk_messages {
        messages = messages.merge(m);
    }
    let threads: Vec<Threads> = (0..PARTS)
        .into_par_iter()
        .map(|p| {
            let mut rows = Vec::with_capacity(parted.iter().map(|c| c.part(p).len()).sum());
            for c in &parted {
                rows.extend_from_slice(c.part(p));
            }
            scan_part(rows, facts, cfg)
        })
        .collect();

    let mut tally = Tally {
        hour: messages.hour,
        words: messages.words,
        failures: messages.failures,
        ..Default::default()
    };
    for (c, f) in messages.funnel {
        let id = tally.names.id(c);
        tally.funnel.insert(id, f);
    }
    for ((d, n), v) in messages.day_number {
        let id = tally.names.id(n);
        tally.day_number.insert((d, id), v);
    }
    let mut team = Vec::with_capacity(threads.iter().map(|t| t.team.len()).sum());
    let mut agents: FastMap<&str, Vec<Millis>> = FastMap::default();
    let mut replied: BTreeMap<String, u64> = BTreeMap::new();
    for t in threads {
        team.extend(t.team);
        for (a, v) in t.agents {
            agents.entry(a).or_default().extend(v);
        }
        tally.unanswered += t.unanswered;
        for (d, (a, b)) in t.day_starts {
            let e = tally.day_starts.entry(d).or_default();
            e.0 += a;
            e.1 += b;
        }
        for (c, n) in t.replied {
            *replied.entry(c.to_string()).or_default() += n;
        }
    }
    tally.frt = samples(team);
    for (a, v) in agents {
        let id = tally.names.id(a);
        tally.frt_agent.insert(id, samples(v));
    }
    (tally, replied)
}
