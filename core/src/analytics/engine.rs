//! The incremental engine: fed events in any order (duplicates, statuses
//! before their message, late statuses), it keeps running totals so a
//! report costs a sort of the totals, not a pass over the messages.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::frt::{ThreadMsg, ThreadTally, thread_tally};
use super::model::{ConversationFact, Event, MessageFact, ReportConfig, StatusEvent, sent_time};
use super::report::{OutContrib, Report, Tally, assemble, out_contrib, replied_to};
use crate::time::Millis;

struct Msg {
    fact: MessageFact,
    thread: usize,
    contrib: OutContrib,
}

impl Msg {
    fn time(&self) -> Millis {
        if self.fact.inbound {
            self.fact.at
        } else {
            sent_time(self.fact.at, &self.fact.status)
        }
    }
}

#[derive(Default)]
struct Thread {
    /// Message indices sorted by (time, id).
    msgs: Vec<usize>,
    /// Inbound times, sorted.
    inbound: Vec<Millis>,
    tally: ThreadTally,
    complaint: bool,
}

/// Incremental analytics for one [`ReportConfig`].
pub struct Engine {
    cfg: ReportConfig,
    msgs: Vec<Msg>,
    by_id: HashMap<String, usize>,
    threads: Vec<Thread>,
    thread_ix: HashMap<(String, String), usize>,
    pending: HashMap<String, Vec<StatusEvent>>,
    conversations: BTreeMap<String, ConversationFact>,
    tally: Tally,
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
            cfg,
            msgs: Vec::new(),
            by_id: HashMap::new(),
            threads: Vec::new(),
            thread_ix: HashMap::new(),
            pending: HashMap::new(),
            conversations: BTreeMap::new(),
            tally: Tally::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ReportConfig {
        &self.cfg
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

    fn message(&mut self, mut fact: MessageFact) {
        if self.by_id.contains_key(&fact.id) {
            return; // redelivery
        }
        if let Some(mut pending) = self.pending.remove(&fact.id) {
            // The store applies held statuses in time order when the message arrives.
            pending.sort_by_key(|s| s.at);
            for s in pending {
                fact.status.apply(s.status, s.at, s.code);
            }
        }
        let key = (fact.number.clone(), fact.customer.clone());
        let next = self.threads.len();
        let t = *self.thread_ix.entry(key).or_insert(next);
        if t == next {
            self.threads.push(Thread::default());
        }
        let ix = self.msgs.len();
        let text = fact.text.take();
        let inbound = fact.inbound;
        let at = fact.at;
        self.threads[t].complaint |= fact.complaint;
        self.by_id.insert(fact.id.clone(), ix);
        self.msgs.push(Msg {
            fact,
            thread: t,
            contrib: OutContrib::default(),
        });
        if inbound {
            let th = &mut self.threads[t];
            let p = th.inbound.partition_point(|x| *x <= at);
            th.inbound.insert(p, at);
            if self.cfg.contains(at) {
                self.tally.inbound(at, text.as_deref(), &self.cfg);
            }
        } else {
            self.refresh_contrib(ix);
        }
        self.place(t, ix);
        self.refresh_thread(t);
    }

    fn status(&mut self, s: StatusEvent) {
        let Some(&ix) = self.by_id.get(&s.message_id) else {
            let list = self.pending.entry(s.message_id.clone()).or_default();
            if !list.iter().any(|x| x.status == s.status) {
                list.push(s);
            }
            return;
        };
        let before = self.msgs[ix].time();
        if !self.msgs[ix].fact.status.apply(s.status, s.at, s.code) {
            return;
        }
        if self.msgs[ix].fact.inbound {
            return;
        }
        self.refresh_contrib(ix);
        if self.msgs[ix].time() != before {
            let t = self.msgs[ix].thread;
            self.threads[t].msgs.retain(|m| *m != ix);
            self.place(t, ix);
            self.refresh_thread(t);
        }
    }

    /// Insert message `ix` at its place in thread `t`.
    fn place(&mut self, t: usize, ix: usize) {
        let key = (self.msgs[ix].time(), self.msgs[ix].fact.id.as_str());
        let msgs = &self.msgs;
        let list = &self.threads[t].msgs;
        let p = list.partition_point(|m| (msgs[*m].time(), msgs[*m].fact.id.as_str()) <= key);
        self.threads[t].msgs.insert(p, ix);
    }

    fn refresh_contrib(&mut self, ix: usize) {
        let new = out_contrib(&self.msgs[ix].fact, &self.cfg);
        if new != self.msgs[ix].contrib {
            self.tally.outbound(&self.msgs[ix].contrib, false);
            self.tally.outbound(&new, true);
            self.msgs[ix].contrib = new;
        }
    }

    fn refresh_thread(&mut self, t: usize) {
        let th = &self.threads[t];
        let include_automated = self.cfg.include_automated;
        let view: Vec<ThreadMsg<'_>> = th
            .msgs
            .iter()
            .map(|&i| {
                let m = &self.msgs[i];
                ThreadMsg {
                    at: m.time(),
                    inbound: m.fact.inbound,
                    responds: !m.fact.inbound && (include_automated || !m.fact.automated),
                    agent: m.fact.agent.as_deref(),
                }
            })
            .collect();
        let new = thread_tally(&view, th.complaint, &self.cfg);
        if new != th.tally {
            let old = std::mem::replace(&mut self.threads[t].tally, new);
            self.tally.thread_change(&old, &self.threads[t].tally);
        }
    }

    /// The report as of the events applied so far.
    pub fn report(&self) -> Report {
        let mut replied: HashSet<(&str, usize)> = HashSet::new();
        for m in &self.msgs {
            if let Some((campaign, _)) = &m.contrib.funnel {
                let th = &self.threads[m.thread];
                if replied_to(&th.inbound, m.time(), &self.cfg) {
                    replied.insert((campaign.as_str(), m.thread));
                }
            }
        }
        let mut per: BTreeMap<String, u64> = BTreeMap::new();
        for (c, _) in replied {
            *per.entry(c.to_string()).or_default() += 1;
        }
        assemble(&self.cfg, &self.tally, &per, self.conversations.values())
    }
}
