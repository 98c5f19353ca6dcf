//! Recompute a report from any store over a range: one read of the
//! messages (24 h before the range for the conversation-start rule), the
//! conversations and the parked sends, then one pass per thread; and the
//! CRM sync health as the sync engines saved it.

use std::collections::HashMap;

use super::model::{
    COMPLAINT_TAG, ConversationFact, MessageFact, ReportConfig, START_GAP_MS, message_fact,
};
use super::report::{Report, assemble};
use super::scan::{scan, thread_hash};
use super::sync::sync_health;
use crate::ids::ContactId;
use crate::store::{OutboxState, PageRequest, Stores};
use crate::time::Millis;

/// Messages per page read from the store.
const PAGE: usize = 5_000;
/// Read this far past the range end: a message recorded after the end may
/// carry an earlier status time (statuses arrive out of order).
const END_SLACK_MS: Millis = 24 * 3_600_000;

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
    let mut report = report_from_facts(&facts, &conversations, &parked, cfg);
    report.sync = sync_health(stores.sync.as_ref()).await?;
    Ok(report)
}

/// The report for `cfg` from facts already in memory: the messages (with 24 h
/// before the range), the conversations, and the parked sends as (time, Graph
/// error code). Its `sync` rows are left empty (they are not facts; see
/// [`sync_health`]). [`recompute`] reads these from a store and calls this; a
/// console holding its own copy of the rows can call it directly. Runs on
/// every core (rayon's pool).
pub fn report_from_facts(
    facts: &[MessageFact],
    conversations: &[ConversationFact],
    parked: &[(Millis, Option<i64>)],
    cfg: &ReportConfig,
) -> Report {
    let (mut tally, replied) = scan(facts, cfg, thread_hash);
    for (at, code) in parked {
        if cfg.contains(*at) {
            tally.send_failed(*code);
        }
    }
    assemble(cfg, &tally, &replied, conversations.iter())
}
