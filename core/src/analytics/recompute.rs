//! Recompute a report from any store over a range: one read of the
//! messages (24 h before the range for the conversation-start rule), the
//! conversations and the parked sends, then one pass per thread.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::frt::{ThreadMsg, thread_tally};
use super::model::{
    COMPLAINT_TAG, ConversationFact, MessageFact, ReportConfig, START_GAP_MS, message_fact,
    sent_time,
};
use super::report::{Report, Tally, assemble, out_contrib, replied_to};
use crate::ids::ContactId;
use crate::store::{OutboxState, PageRequest, Stores};
use crate::time::Millis;

/// Messages per page read from the store.
const PAGE: usize = 5_000;
/// Read this far past the range end: a message recorded after the end may
/// carry an earlier status time (statuses arrive out of order).
const END_SLACK_MS: Millis = 24 * 3_600_000;

fn time_of(f: &MessageFact) -> Millis {
    if f.inbound {
        f.at
    } else {
        sent_time(f.at, &f.status)
    }
}

/// The report for `cfg` from what `stores` hold.
pub async fn recompute(stores: &Stores, cfg: &ReportConfig) -> crate::Result<Report> {
    let from = cfg
        .from
        .map_or(Millis::MIN, |f| f.saturating_sub(START_GAP_MS));
    let to = cfg
        .to
        .map_or(Millis::MAX, |t| t.saturating_add(END_SLACK_MS));
    let mut facts: Vec<MessageFact> = Vec::new();
    let mut complaint: HashMap<String, bool> = HashMap::new();
    let mut page = PageRequest {
        limit: PAGE,
        after: None,
    };
    loop {
        let p = stores.messages.list_between(from, to, &page).await?;
        for m in &p.items {
            let tagged = match &m.contact_id {
                Some(c) => match complaint.get(c.as_str()) {
                    Some(t) => *t,
                    None => {
                        let t = stores
                            .contacts
                            .get(&ContactId::new(c.as_str()))
                            .await?
                            .is_some_and(|c| c.tags.contains(COMPLAINT_TAG));
                        complaint.insert(c.0.clone(), t);
                        t
                    }
                },
                None => false,
            };
            facts.push(message_fact(m, tagged));
        }
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }

    let mut conversations = Vec::new();
    let mut page = PageRequest {
        limit: PAGE,
        after: None,
    };
    loop {
        let p = stores.conversations.list_all(&page).await?;
        conversations.extend(p.items.iter().map(ConversationFact::from));
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }

    let mut parked = Vec::new();
    for item in stores
        .outbox
        .list_by_state(crate::store::OutboxStateKind::Parked, 1 << 40)
        .await?
    {
        if matches!(item.state, OutboxState::Parked { .. }) {
            parked.push((
                item.updated_at,
                item.last_error.as_ref().and_then(|e| e.graph_code),
            ));
        }
    }
    Ok(report_from_facts(&facts, &conversations, &parked, cfg))
}

/// The report for `cfg` from facts already in memory: the messages (with 24 h
/// before the range), the conversations, and the parked sends as (time, Graph
/// error code). [`recompute`] reads these from a store and calls this; a
/// console holding its own copy of the rows can call it directly.
pub fn report_from_facts(
    facts: &[MessageFact],
    conversations: &[ConversationFact],
    parked: &[(Millis, Option<i64>)],
    cfg: &ReportConfig,
) -> Report {
    let mut tally = Tally::default();
    let mut threads: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        threads
            .entry((f.number.as_str(), f.customer.as_str()))
            .or_default()
            .push(i);
        if f.inbound {
            if cfg.contains(f.at) {
                tally.inbound(f.at, f.text.as_deref(), cfg);
            }
        } else {
            tally.outbound(&out_contrib(f, cfg), true);
        }
    }

    let mut replied: HashSet<(&str, (&str, &str))> = HashSet::new();
    for (key, ixs) in &mut threads {
        ixs.sort_by(|a, b| {
            (time_of(&facts[*a]), &facts[*a].id).cmp(&(time_of(&facts[*b]), &facts[*b].id))
        });
        let view: Vec<ThreadMsg<'_>> = ixs
            .iter()
            .map(|&i| {
                let f = &facts[i];
                ThreadMsg {
                    at: time_of(f),
                    inbound: f.inbound,
                    responds: !f.inbound && (cfg.include_automated || !f.automated),
                    agent: f.agent.as_deref(),
                }
            })
            .collect();
        let tagged = ixs.iter().any(|&i| facts[i].complaint);
        tally.thread(&thread_tally(&view, tagged, cfg), true);

        let inbound: Vec<Millis> = view.iter().filter(|m| m.inbound).map(|m| m.at).collect();
        for &i in ixs.iter() {
            let f = &facts[i];
            let Some(campaign) = &f.campaign else {
                continue;
            };
            let at = time_of(f);
            if !f.inbound && cfg.contains(at) && replied_to(&inbound, at, cfg) {
                replied.insert((campaign.as_str(), *key));
            }
        }
    }
    let mut per_campaign: BTreeMap<String, u64> = BTreeMap::new();
    for (c, _) in replied {
        *per_campaign.entry(c.to_string()).or_default() += 1;
    }
    for (at, code) in parked {
        if cfg.contains(*at) {
            tally.send_failed(*code);
        }
    }
    assemble(cfg, &tally, &per_campaign, conversations.iter())
}
