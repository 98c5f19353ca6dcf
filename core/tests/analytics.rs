//! Analytics: the incremental engine and the recompute from a store agree on
//! a generated month of traffic fed in a shuffled order with duplicates and
//! late statuses; and hand-built cases whose figures are known.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wacrm::analytics::{
    ConversationFact, Engine, Event, Report, ReportConfig, StatusEvent, message_fact, recompute,
};
use wacrm::error::GraphError;
use wacrm::store::{
    Contact, Conversation, ConversationStatus, Direction, MessageRecord, MessageStatus,
    StatusUpdate, Stores,
};
use wacrm::{AgentId, ContactId, ConversationId, Error, MessageId, PhoneNumberId};

const H: i64 = 3_600_000;
const MIN: i64 = 60_000;

/// What happens, in arrival order.
enum Op {
    Msg(MessageRecord),
    Status(StatusUpdate),
    Conv(Conversation),
}

fn t0() -> i64 {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis()
}

fn error_of(code: i64) -> wacrm::ErrorDetails {
    Error::from_graph(
        GraphError {
            code,
            message: "failed".into(),
            ..Default::default()
        },
        0,
        None,
    )
    .details()
}

const WORDS: &[&str] = &[
    "refund please",
    "where is my order",
    "el envío está retrasado",
    "订单还没有到",
    "セールは店舗でも使えますか",
    "price of the blue shirt",
    "order cancelled refund",
];

/// A month of traffic on two numbers: customers write and agents,
/// automation and campaigns answer; statuses arrive late, out of order or
/// twice; some messages are delivered twice.
fn traffic(seed: u64) -> (Vec<Op>, Vec<(String, bool)>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = t0();
    let end = start + 31 * 24 * H;
    let mut timed: Vec<(i64, Op)> = Vec::new();
    let mut customers = Vec::new();
    let mut n = 0;
    for c in 0..30 {
        let cust = format!("c{c}");
        let complaint = rng.random_bool(0.2);
        customers.push((cust.clone(), complaint));
        let number = if c % 3 == 0 { "pn-b" } else { "pn-a" };
        let mut at = start + rng.random_range(0..48 * H);
        while at < end {
            n += 1;
            let id = format!("wamid.{seed}.{n}");
            let inbound = rng.random_bool(0.5);
            let campaign = (!inbound && rng.random_bool(0.25))
                .then(|| ["spring", "promo|2026"][rng.random_range(0..2)].to_string());
            let automated = !inbound && (campaign.is_some() || rng.random_bool(0.3));
            let agent = (!inbound && !automated && rng.random_bool(0.8))
                .then(|| ["ana", "ken", "li"][rng.random_range(0..3)].to_string());
            let body = if inbound {
                serde_json::json!({"type": "text", "text": {"body": WORDS[rng.random_range(0..WORDS.len())]}})
            } else if automated {
                serde_json::json!({"type": "text", "automated": true})
            } else {
                serde_json::json!({"type": "text"})
            };
            let rec = MessageRecord {
                id: MessageId::new(id.clone()),
                phone_number_id: PhoneNumberId::new(number),
                conversation_id: None,
                contact_id: Some(ContactId::new(cust.clone())),
                direction: if inbound {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
                msg_type: "text".into(),
                body,
                status: (!inbound).then_some(MessageStatus::Accepted),
                status_times: Default::default(),
                error: None,
                agent_id: agent.map(AgentId::new),
                campaign_id: campaign,
                created_at: at,
            };
            // Arrival: messages usually in time, sometimes hours late.
            let jitter = if rng.random_bool(0.1) {
                rng.random_range(0..6 * H)
            } else {
                0
            };
            timed.push((at + jitter, Op::Msg(rec.clone())));
            if rng.random_bool(0.05) {
                timed.push((at + jitter + 5 * MIN, Op::Msg(rec.clone())));
            }
            if !inbound {
                let mut st = at + rng.random_range(0..2 * MIN);
                let mut ladder = vec![MessageStatus::Sent];
                if rng.random_bool(0.85) {
                    ladder.push(MessageStatus::Delivered);
                }
                if rng.random_bool(0.6) {
                    ladder.push(MessageStatus::Read);
                }
                if rng.random_bool(0.12) {
                    ladder = vec![MessageStatus::Failed];
                    if rng.random_bool(0.5) {
                        ladder.insert(0, MessageStatus::Sent);
                    }
                }
                for s in ladder {
                    if rng.random_bool(0.08) && s == MessageStatus::Delivered {
                        continue; // read without delivered
                    }
                    st += rng.random_range(0..30 * MIN);
                    let upd = StatusUpdate {
                        message_id: MessageId::new(id.clone()),
                        status: s,
                        at: st,
                        error: (s == MessageStatus::Failed)
                            .then(|| error_of([131026, 131047, 130429][rng.random_range(0..3)])),
                    };
                    // Statuses arrive late, early (before their message) or twice.
                    let arrive = st + rng.random_range(-(10 * MIN)..(3 * H));
                    timed.push((arrive, Op::Status(upd.clone())));
                    if rng.random_bool(0.1) {
                        timed.push((arrive + H, Op::Status(upd)));
                    }
                }
            }
            // Gaps from a minute to two days, so starts, FRT and 72 h replies all vary.
            at += match rng.random_range(0..10) {
                0..=5 => rng.random_range(MIN..3 * H),
                6..=8 => rng.random_range(3 * H..30 * H),
                _ => rng.random_range(30 * H..80 * H),
            };
        }
        // One conversation per customer: assigned, sometimes resolved.
        let opened = start + rng.random_range(0..28 * 24 * H);
        let closed = rng
            .random_bool(0.6)
            .then(|| opened + rng.random_range(10 * MIN..30 * H));
        let conv = Conversation {
            id: ConversationId::new(format!("conv-{cust}")),
            contact_id: ContactId::new(cust.clone()),
            phone_number_id: PhoneNumberId::new(number),
            status: if closed.is_some() {
                ConversationStatus::Closed
            } else {
                ConversationStatus::Open
            },
            agent_id: rng
                .random_bool(0.8)
                .then(|| AgentId::new(["ana", "ken", "li"][rng.random_range(0..3)])),
            priority: 0,
            opened_at: opened,
            assigned_at: None,
            last_inbound_at: None,
            last_outbound_at: None,
            first_response_at: None,
            last_human_reply_at: None,
            closed_at: closed,
        };
        timed.push((opened, Op::Conv(conv)));
    }
    timed.sort_by_key(|(t, _)| *t);
    (timed.into_iter().map(|(_, op)| op).collect(), customers)
}

async fn seed_contacts(stores: &Stores, customers: &[(String, bool)]) {
    for (c, complaint) in customers {
        let mut contact = Contact {
            id: ContactId::new(c.clone()),
            ..Default::default()
        };
        if *complaint {
            contact.tags.insert("complaint".into());
        }
        stores.contacts.upsert(&contact, None).await.unwrap();
    }
}

/// Feed the same arrival order to the store and to the engine.
async fn feed(stores: &Stores, engine: &mut Engine, ops: &[Op], customers: &[(String, bool)]) {
    let tagged = |c: &Option<ContactId>| {
        customers
            .iter()
            .any(|(id, t)| *t && c.as_ref().map(|x| x.as_str()) == Some(id.as_str()))
    };
    for op in ops {
        match op {
            Op::Msg(m) => {
                if m.direction == Direction::Inbound {
                    stores.messages.record_inbound(m).await.unwrap();
                } else {
                    stores.messages.record_outbound(m).await.unwrap();
                }
                engine.apply(Event::Message(message_fact(m, tagged(&m.contact_id))));
            }
            Op::Status(s) => {
                stores.messages.apply_status(s).await.unwrap();
                engine.apply(Event::Status(StatusEvent::from(s)));
            }
            Op::Conv(c) => {
                stores.conversations.create(c).await.unwrap();
                engine.apply(Event::Conversation(ConversationFact::from(c)));
            }
        }
    }
}

fn config(seed: u64) -> ReportConfig {
    let tz: chrono_tz::Tz = ["Europe/Madrid", "America/New_York", "Asia/Tokyo", "UTC"]
        [(seed % 4) as usize]
        .parse()
        .unwrap();
    ReportConfig {
        from: Some(t0() + 2 * 24 * H),
        to: Some(t0() + 28 * 24 * H),
        tz,
        top: 10,
        include_automated: seed.is_multiple_of(2),
    }
}

async fn check_seed(seed: u64, stores: Stores) {
    let (ops, customers) = traffic(seed);
    seed_contacts(&stores, &customers).await;
    let cfg = config(seed);
    let mut engine = Engine::new(cfg.clone());
    feed(&stores, &mut engine, &ops, &customers).await;
    let incremental = engine.report();
    let recomputed = recompute(&stores, &cfg).await.unwrap();
    assert_eq!(incremental, recomputed, "seed {seed}");
    // The month is not trivial: the figures the test compares exist.
    assert!(recomputed.frt.n > 20, "seed {seed}: {:?}", recomputed.frt);
    assert!(recomputed.frt.unanswered > 0 || recomputed.frt.n > 50);
    assert!(
        recomputed
            .funnel
            .iter()
            .any(|f| f.replied > 0 && f.failed > 0)
    );
    assert!(!recomputed.failures.is_empty());
    assert!(recomputed.hour_of_week.iter().sum::<u64>() > 100);
    assert!(!recomputed.hot_words.is_empty(), "seed {seed}");

    // `top: 0` skips the words and changes nothing else, on both paths.
    let no_words = ReportConfig { top: 0, ..cfg };
    let mut engine = Engine::new(no_words.clone());
    let fresh = Stores::memory();
    seed_contacts(&fresh, &customers).await;
    feed(&fresh, &mut engine, &ops, &customers).await;
    let without = recompute(&stores, &no_words).await.unwrap();
    assert_eq!(engine.report(), without, "seed {seed}");
    assert!(without.hot_words.is_empty());
    assert_eq!(
        Report {
            hot_words: Vec::new(),
            ..recomputed
        },
        without,
        "seed {seed}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn incremental_equals_recomputed_on_a_month(seed in any::<u64>()) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(check_seed(seed, Stores::memory()));
    }
}

#[tokio::test]
async fn incremental_equals_recomputed_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::sqlite(dir.path().join("a.db")).await.unwrap();
    check_seed(7, stores).await;
}

#[tokio::test]
async fn range_is_optional() {
    let (ops, customers) = traffic(3);
    let stores = Stores::memory();
    seed_contacts(&stores, &customers).await;
    let cfg = ReportConfig::default();
    let mut engine = Engine::new(cfg.clone());
    feed(&stores, &mut engine, &ops, &customers).await;
    assert_eq!(engine.report(), recompute(&stores, &cfg).await.unwrap());
}
