//! The incremental engine: fed events in any order (duplicates, statuses
//! before their message, late statuses), it keeps running totals so a
//! report costs a sort of the totals, not a pass over the messages.
//!
//! A message that comes after its thread's last one (the usual case) is
//! appended in O(1): the thread keeps the state the conversation-start rule
//! needs (last time, starts waiting for a response). Anything else — a late
//! message, a status that moves a sent time earlier, a complaint tag seen
//! for the first time — re-derives the thread from its sorted messages.

use std::collections::{BTreeMap, HashSet};

use super::clock::Clock;
use super::frt::{ThreadMsg, ThreadTally, thread_tally};
use super::index::HashIndex;
use super::model::{
    ConversationFact, Event, MessageFact, ReportConfig, START_GAP_MS, StatusEvent, StatusFact,
    sent_time,
};
use super::names::FastMap;
use super::report::{OutContrib, Report, Tally, assemble, out_contrib, replied_to};
use super::sync::SyncHealthRow;
use crate::time::Millis;

struct Msg {
    /// The event's own string, kept as it came (no copy).
    id: String,
    at: Millis,
    status: StatusFact,
    thread: u32,
    number: u32,
    agent: Option<u32>,
    campaign: Option<u32>,
    inbound: bool,
    automated: bool,
}

impl Msg {
    fn time(&self) -> Millis {
        if self.inbound {
            self.at
        } else {
            sent_time(self.at, &self.status)
        }
    }
}

struct Thread {
    /// Business number (interned) and customer: the thread's key.
    number: u32,
    customer: Box<str>,
    /// Message indices sorted by (time, id).
    msgs: Vec<u32>,
    /// Inbound times, sorted.
    inbound: Vec<Millis>,
    tally: ThreadTally,
    complaint: bool,
}

/// How many messages took each path (for tests that must exercise both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathCounts {
    /// Messages appended after their thread's last message in O(1).
    pub appended: u64,
    /// Threads re-derived (late messages, sent times moved by statuses).
    pub rederived: u64,
}

/// Incremental analytics for one [`ReportConfig`].
pub struct Engine {
    cfg: ReportConfig,
    clock: Clock,
    msgs: Vec<Msg>,
    /// Message id → position in `msgs`.
    by_id: HashIndex,
    threads: Vec<Thread>,
    /// (number id, customer) → position in `threads`.
    thread_ix: HashIndex,
    pending: FastMap<String, Vec<StatusEvent>>,
    conversations: BTreeMap<String, ConversationFact>,
    tally: Tally,
    paths: PathCounts,
    /// Sync health rows, given (they come from the store, not from events).
    sync: Vec<SyncHealthRow>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("messages", &self.msgs.len())
            .field("threads", &self.threads.len())
            .finish()
    }
}

impl Engine {
    /// An empty engine computing for `cfg`.
    pub fn new(cfg: ReportConfig) -> Self {
        Engine {
            clock: Clock::new(cfg.tz),
            cfg,
            msgs: Vec::new(),
            by_id: HashIndex::default(),
            threads: Vec::new(),
            thread_ix: HashIndex::default(),
            pending: FastMap::default(),
            conversations: BTreeMap::new(),
            tally: Tally::default(),
            paths: PathCounts::default(),
            sync: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ReportConfig {
        &self.cfg
    }

    /// How many messages took the append path and how many thread
    /// re-derivations ran.
    pub fn path_counts(&self) -> PathCounts {
        self.paths
    }

    /// The CRM sync health rows the report carries (e.g. from
    /// [`sync_health`](super::sync_health) on the store). Sync health is not
    /// derived from events, so the engine reports what it was given last;
    /// none by default, as [`recompute`](super::recompute) gives none when
    /// no sync engine saved any.
    pub fn set_sync(&mut self, rows: Vec<SyncHealthRow>) {
        self.sync = rows;
    }

    /// Apply one event.
    pub fn apply(&mut self, e: Event) {
        match e {
            Event::Message(m) => self.message(m),
            Event::Status(s) => self.status(s),
            Event::Conversation(c) => {
                self.conversations.insert(c.id.clone(), c);
            }
            Event::SendFailed { at, code, .. } => {
                if self.cfg.contains(at) {
                    self.tally.send_failed(code);
                }
            }
        }
    }

    fn thread_of(&mut self, number: u32, customer: &str) -> u32 {
        let h = self.thread_ix.hash(&(number, customer));
        let new = self.threads.len() as u32;
        let threads = &self.threads;
        let same = |t: u32| {
            let th = &threads[t as usize];
            th.number == number && *th.customer == *customer
        };
        if let Some(t) = self.thread_ix.get_or_insert(h, new, same) {
            return t;
        }
        self.threads.push(Thread {
            number,
            customer: customer.into(),
            msgs: Vec::new(),
            inbound: Vec::new(),
            tally: ThreadTally::default(),
            complaint: false,
        });
        new
    }

    fn message(&mut self, mut fact: MessageFact) {
        let ix = self.msgs.len() as u32;
        let h = self.by_id.hash(fact.id.as_str());
        let msgs = &self.msgs;
        if self
            .by_id
            .get_or_insert(h, ix, |i| msgs[i as usize].id == fact.id)
            .is_some()
        {
            return; // redelivery
        }
        // `ix` is now the message's position: it is pushed below, before any
        // other lookup.
        if !self.pending.is_empty()
            && let Some(mut pending) = self.pending.remove(&fact.id)
        {
            // The store applies held statuses in time order when the message arrives.
            pending.sort_by_key(|s| s.at);
            for s in pending {
                fact.status.apply(s.status, s.at, s.code);
            }
        }
        let names = &mut self.tally.names;
        let number = names.id(&fact.number);
        let agent = fact.agent.as_deref().map(|a| names.id(a));
        let campaign = fact.campaign.as_deref().map(|c| names.id(c));
        let t = self.thread_of(number, &fact.customer);
        self.msgs.push(Msg {
            id: fact.id,
            at: fact.at,
            status: fact.status,
            thread: t,
            number,
            agent,
            campaign,
            inbound: fact.inbound,
            automated: fact.automated,
        });
        let at = fact.at;
        if fact.inbound {
            let inbound = &mut self.threads[t as usize].inbound;
            if inbound.last().is_none_or(|l| *l <= at) {
                inbound.push(at);
            } else {
                let p = inbound.partition_point(|x| *x <= at);
                inbound.insert(p, at);
            }
            if self.cfg.contains(at) {
                self.tally.inbound(
                    at,
                    fact.text.as_deref().filter(|_| self.cfg.top > 0),
                    &mut self.clock,
                );
            }
        } else {
            let c = self.contrib(ix);
            self.tally.outbound(&c, true);
        }
        let th = &mut self.threads[t as usize];
        let complaint_changes = fact.complaint && !th.complaint;
        th.complaint |= fact.complaint;
        if !complaint_changes && self.after_last(t, ix) {
            self.threads[t as usize].msgs.push(ix);
            self.append(t, ix);
        } else {
            self.place(t, ix);
            self.refresh_thread(t);
        }
    }

    fn key(&self, ix: u32) -> (Millis, &str) {
        let m = &self.msgs[ix as usize];
        (m.time(), &m.id)
    }

    /// Whether message `ix` sorts after every message of thread `t`.
    fn after_last(&self, t: u32, ix: u32) -> bool {
        self.threads[t as usize]
            .msgs
            .last()
            .is_none_or(|l| self.key(*l) < self.key(ix))
    }

    /// The fast path: message `ix` was appended at the end of thread `t`;
    /// update the thread's tally and the totals by what it adds.
    fn append(&mut self, t: u32, ix: u32) {
        self.paths.appended += 1;
        let m = &self.msgs[ix as usize];
        let at = m.time();
        if !self.cfg.before_end(at) {
            return; // past the range end: it changes nothing in range
        }
        let th = &mut self.threads[t as usize].tally;
        let prev = th.last.replace(at);
        if m.inbound {
            if prev.is_none_or(|p| at - p >= START_GAP_MS) && self.cfg.contains(at) {
                let day = self.clock.day(at);
                th.days.push(day);
                th.waiting.push(at);
                self.tally.days(&[day], th.complaint, true);
                self.tally.unanswered += 1;
            }
        } else if (self.cfg.include_automated || !m.automated) && !th.waiting.is_empty() {
            let first = th.answered.len();
            for w in th.waiting.drain(..) {
                th.answered.push((at - w, m.agent));
            }
            self.tally.unanswered -= (th.answered.len() - first) as u64;
            self.tally.answered(&th.answered[first..], true);
        }
    }

    fn status(&mut self, s: StatusEvent) {
        let h = self.by_id.hash(s.message_id.as_str());
        let msgs = &self.msgs;
        let Some(ix) = self.by_id.get(h, |i| msgs[i as usize].id == s.message_id) else {
            let list = self.pending.entry(s.message_id.clone()).or_default();
            if !list.iter().any(|x| x.status == s.status) {
                list.push(s);
            }
            return;
        };
        if self.msgs[ix as usize].inbound {
            self.msgs[ix as usize].status.apply(s.status, s.at, s.code);
            return;
        }
        // The message's contribution is derived from its status, not
        // stored (that would double the engine's memory per message): the
        // one before the status is taken back, the one after added.
        let old = self.contrib(ix);
        let m = &mut self.msgs[ix as usize];
        let before = m.time();
        if !m.status.apply(s.status, s.at, s.code) {
            return;
        }
        let new = self.contrib(ix);
        if new != old {
            self.tally.outbound(&old, false);
            self.tally.outbound(&new, true);
        }
        if self.msgs[ix as usize].time() != before {
            let t = self.msgs[ix as usize].thread;
            self.threads[t as usize].msgs.retain(|m| *m != ix);
            self.place(t, ix);
            self.refresh_thread(t);
        }
    }

    /// Insert message `ix` at its place in thread `t`.
    fn place(&mut self, t: u32, ix: u32) {
        let key = self.key(ix);
        let list = &self.threads[t as usize].msgs;
        let p = list.partition_point(|m| self.key(*m) <= key);
        self.threads[t as usize].msgs.insert(p, ix);
    }

    /// What outbound message `ix` adds to the totals in its current state.
    fn contrib(&mut self, ix: u32) -> OutContrib {
        let m = &self.msgs[ix as usize];
        out_contrib(
            m.time(),
            &m.status,
            m.number,
            m.campaign,
            &self.cfg,
            &mut self.clock,
        )
    }

    /// The slow path: re-derive thread `t` from its sorted messages.
    fn refresh_thread(&mut self, t: u32) {
        self.paths.rederived += 1;
        let th = &self.threads[t as usize];
        let include_automated = self.cfg.include_automated;
        let view: Vec<ThreadMsg> = th
            .msgs
            .iter()
            .map(|&i| {
                let m = &self.msgs[i as usize];
                ThreadMsg {
                    at: m.time(),
                    inbound: m.inbound,
                    responds: !m.inbound && (include_automated || !m.automated),
                    agent: m.agent,
                }
            })
            .collect();
        let new = thread_tally(&view, th.complaint, &self.cfg, &mut self.clock);
        if new != th.tally {
            let old = std::mem::replace(&mut self.threads[t as usize].tally, new);
            self.tally
                .thread_change(&old, &self.threads[t as usize].tally);
        }
    }

    /// The report as of the events applied so far.
    pub fn report(&self) -> Report {
        let mut replied: HashSet<(u32, u32)> = HashSet::new();
        for m in &self.msgs {
            // A campaign message in range is in the funnel (`out_contrib`).
            if let Some(campaign) = m.campaign
                && !m.inbound
                && self.cfg.contains(m.time())
            {
                let th = &self.threads[m.thread as usize];
                if replied_to(&th.inbound, m.time(), &self.cfg) {
                    replied.insert((campaign, m.thread));
                }
            }
        }
        let mut per: BTreeMap<String, u64> = BTreeMap::new();
        for (c, _) in replied {
            *per.entry(self.tally.names.name(c).to_string()).or_default() += 1;
        }
        let mut r = assemble(&self.cfg, &self.tally, &per, self.conversations.values());
        r.sync = self.sync.clone();
        r
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::analytics::report_from_facts;
    use crate::analytics::scan::scan;
    use crate::store::MessageStatus;

    const H: Millis = 3_600_000;

    /// Facts on a coarse time grid (many equal times, so ties are ordered
    /// by id), a few threads per number, campaigns, complaint tags on some
    /// customers, and status ladders (some before the message's record time).
    fn facts(seed: u64) -> Vec<(MessageFact, Vec<StatusEvent>)> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = Vec::new();
        for n in 0..400 {
            let thread = rng.random_range(0..40);
            let inbound = rng.random_bool(0.5);
            let automated = !inbound && rng.random_bool(0.3);
            let at = rng.random_range(0..300) * H / 2;
            let id = format!("m{:03}", rng.random_range(0..1000) * 1000 + n);
            let mut statuses = Vec::new();
            if !inbound {
                let mut t = at + rng.random_range(-2..3) * H / 4;
                for s in [
                    MessageStatus::Sent,
                    MessageStatus::Delivered,
                    MessageStatus::Read,
                ] {
                    if rng.random_bool(0.8) {
                        statuses.push(StatusEvent {
                            message_id: id.clone(),
                            status: s,
                            at: t,
                            code: None,
                        });
                    }
                    t += rng.random_range(0..3) * H / 4;
                }
                if rng.random_bool(0.1) {
                    statuses.push(StatusEvent {
                        message_id: id.clone(),
                        status: MessageStatus::Failed,
                        at: t,
                        code: Some(131_026),
                    });
                }
            }
            let fact = MessageFact {
                id,
                number: format!("pn{}", thread % 3),
                customer: format!("c{thread}"),
                inbound,
                at,
                agent: (!inbound && !automated)
                    .then(|| ["ana", "ken"][rng.random_range(0..2)].to_string()),
                automated,
                campaign: (!inbound && rng.random_bool(0.3)).then(|| "spring".to_string()),
                text: inbound.then(|| "refund please".to_string()),
                complaint: thread % 5 == 0 && rng.random_bool(0.5),
                status: StatusFact::default(),
            };
            out.push((fact, statuses));
        }
        out
    }

    fn with_statuses(f: &MessageFact, statuses: &[StatusEvent]) -> MessageFact {
        let mut f = f.clone();
        let mut sorted = statuses.to_vec();
        sorted.sort_by_key(|s| s.at);
        for s in sorted {
            f.status.apply(s.status, s.at, s.code);
        }
        f
    }

    /// The facts as the store holds them after `events`: statuses that
    /// came before their message are applied in time order when it arrives,
    /// later ones in arrival order (after a failure nothing moves).
    fn arrived(events: &[Event]) -> Vec<MessageFact> {
        let mut facts: Vec<MessageFact> = Vec::new();
        let mut held: Vec<StatusEvent> = Vec::new();
        for e in events {
            match e {
                Event::Message(f) => {
                    let (early, rest) = held.drain(..).partition(|s| s.message_id == f.id);
                    held = rest;
                    let early: Vec<StatusEvent> = early;
                    facts.push(with_statuses(f, &early));
                }
                Event::Status(s) => match facts.iter_mut().find(|f| f.id == s.message_id) {
                    Some(f) => {
                        f.status.apply(s.status, s.at, s.code);
                    }
                    None => held.push(s.clone()),
                },
                _ => {}
            }
        }
        facts
    }

    fn configs() -> Vec<ReportConfig> {
        vec![
            ReportConfig::default(),
            ReportConfig {
                from: Some(10 * H),
                to: Some(120 * H),
                tz: "Asia/Kolkata".parse().unwrap(),
                include_automated: true,
                ..Default::default()
            },
        ]
    }

    /// In time order (statuses folded into their message) nearly every
    /// message takes the append path; shuffled with separate status events,
    /// threads are re-derived. Both equal the recompute, which equals itself
    /// when every thread hash collides.
    #[test]
    fn append_path_and_rederive_path_equal_the_recompute() {
        for seed in 0..6 {
            let data = facts(seed);
            let full: Vec<MessageFact> = data.iter().map(|(f, s)| with_statuses(f, s)).collect();
            for cfg in configs() {
                let recomputed = report_from_facts(&full, &[], &[], &cfg);
                assert!(recomputed.frt.n > 5, "seed {seed}: {:?}", recomputed.frt);

                let (colliding, replied) = scan(&full, &cfg, |_, _| 7);
                let same = assemble(&cfg, &colliding, &replied, std::iter::empty());
                assert_eq!(same, recomputed, "seed {seed}: colliding hashes");

                let mut sorted = full.clone();
                sorted.sort_by(|a, b| {
                    let key = |f: &MessageFact| (sent_time(f.at, &f.status), f.id.clone());
                    key(a).cmp(&key(b))
                });
                let mut in_order = Engine::new(cfg.clone());
                for f in sorted {
                    in_order.apply(Event::Message(f));
                }
                assert_eq!(in_order.report(), recomputed, "seed {seed}: in order");
                let p = in_order.path_counts();
                assert!(p.appended as usize > full.len() * 9 / 10, "{p:?}");

                let mut events: Vec<Event> = Vec::new();
                for (f, s) in &data {
                    events.push(Event::Message(f.clone()));
                    events.extend(s.iter().cloned().map(Event::Status));
                }
                let mut rng = StdRng::seed_from_u64(seed);
                events.shuffle(&mut rng);
                let expected = report_from_facts(&arrived(&events), &[], &[], &cfg);
                let mut shuffled = Engine::new(cfg.clone());
                for e in events {
                    shuffled.apply(e);
                }
                assert_eq!(shuffled.report(), expected, "seed {seed}: shuffled");
                let p = shuffled.path_counts();
                assert!(p.rederived > 20 && p.appended > 20, "{p:?}");
            }
        }
    }
}
