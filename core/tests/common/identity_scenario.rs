//! One person, many identifiers: the scenario run on every store adapter
//! (memory and SQLite in `core/tests/webhook_identity.rs`, PostgreSQL in
//! `tests/tests/webhook_identity_postgres.rs`).

use std::sync::Arc;

use wacrm::ids::{ContactId, MessageId, PhoneNumberId};
use wacrm::store::{Contact, ContactFilter, Direction, MessageRecord, PageRequest, Stores};
use wacrm::time::{ManualClock, SharedClock};
use wacrm::webhook::{WebhookProcessor, parse_body};

const PHONE: &str = "106540352242922";

/// A `messages` change with one message, from `from` and/or `user_id`.
fn inbound(
    id: &str,
    ts: u64,
    from: Option<&str>,
    user_id: Option<&str>,
    username: Option<&str>,
    content: serde_json::Value,
) -> Vec<u8> {
    let mut msg = serde_json::json!({"id": id, "timestamp": ts.to_string()});
    let mut contact = serde_json::json!({"profile": {"name": "Ana Souza"}});
    if let Some(f) = from {
        msg["from"] = f.into();
        contact["wa_id"] = f.into();
    }
    if let Some(u) = user_id {
        msg["from_user_id"] = u.into();
        contact["user_id"] = u.into();
    }
    if let Some(u) = username {
        contact["profile"]["username"] = u.into();
    }
    for (k, v) in content.as_object().unwrap() {
        msg[k] = v.clone();
    }
    serde_json::to_vec(
        &serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
        "contacts": [contact], "messages": [msg]}}]}]}),
    )
    .unwrap()
}

fn text(body: &str) -> serde_json::Value {
    serde_json::json!({"type": "text", "text": {"body": body}})
}

async fn all_contacts(stores: &Stores) -> Vec<Contact> {
    stores
        .contacts
        .list(
            &ContactFilter::default(),
            &PageRequest {
                limit: 100,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
}

fn strings(c: &Contact, key: &str) -> Vec<String> {
    c.attributes
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The same person writing as `551187654321` (an account from before the
/// ninth digit), as `5511987654321`, with and then only by BSUID and
/// username, then changing number and user id: one contact, one
/// conversation, every message on it, old identifiers kept as history.
pub async fn one_person_one_contact(stores: Stores) {
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    let p = WebhookProcessor::new(stores.clone(), clock);
    let steps: Vec<Vec<u8>> = vec![
        inbound(
            "wamid.1",
            1_750_000_001,
            Some("551187654321"),
            None,
            None,
            text("oi"),
        ),
        inbound(
            "wamid.2",
            1_750_000_002,
            Some("5511987654321"),
            None,
            None,
            text("tudo bem?"),
        ),
        inbound(
            "wamid.3",
            1_750_000_003,
            Some("5511987654321"),
            Some("BR.111"),
            Some("@ana"),
            text("com BSUID"),
        ),
        inbound(
            "wamid.4",
            1_750_000_004,
            None,
            Some("BR.111"),
            Some("@ana"),
            text("só BSUID"),
        ),
        inbound(
            "wamid.5",
            1_750_000_005,
            None,
            None,
            Some("@ana"),
            text("só username"),
        ),
        inbound(
            "wamid.6",
            1_750_000_006,
            Some("5511987654321"),
            Some("BR.111"),
            None,
            serde_json::json!({
            "type": "system",
            "system": {"body": "User A changed from +55 11 98765-4321 to +55 11 91234-5678",
                       "wa_id": "5511912345678", "type": "user_changed_number"}}),
        ),
        inbound(
            "wamid.7",
            1_750_000_007,
            Some("5511912345678"),
            None,
            None,
            text("número novo"),
        ),
        inbound(
            "wamid.8",
            1_750_000_008,
            Some("5511912345678"),
            Some("BR.111"),
            None,
            serde_json::json!({
            "type": "system",
            "system": {"body": "User changed their user id", "user_id": "BR.222", "type": "user_changed_user_id"}}),
        ),
        inbound(
            "wamid.9",
            1_750_000_009,
            None,
            Some("BR.222"),
            None,
            text("id novo"),
        ),
    ];
    let mut conversations = Vec::new();
    for body in &steps {
        let report = p.process(&parse_body(body).unwrap()).await.unwrap();
        assert_eq!(report.new_messages.len(), 1, "{report:?}");
        conversations.push(report.new_messages[0].conversation_id.clone());
        // Redelivered: nothing new.
        let again = p.process(&parse_body(body).unwrap()).await.unwrap();
        assert_eq!(again.duplicate_messages, 1);
    }
    let contacts = all_contacts(&stores).await;
    assert_eq!(contacts.len(), 1, "{contacts:#?}");
    let c = &contacts[0];
    assert_eq!(c.wa_id.as_deref(), Some("5511912345678"));
    assert_eq!(c.e164.as_deref(), Some("+5511912345678"));
    assert_eq!(c.bsuid.as_deref(), Some("BR.222"));
    assert_eq!(c.name.as_deref(), Some("Ana Souza"));
    assert_eq!(c.attributes["username"], "@ana");
    let wa_ids = strings(c, "previous_wa_ids");
    assert!(wa_ids.contains(&"551187654321".to_string()), "{wa_ids:?}");
    assert!(wa_ids.contains(&"5511987654321".to_string()), "{wa_ids:?}");
    assert_eq!(strings(c, "previous_e164s"), ["+5511987654321"]);
    assert_eq!(strings(c, "previous_user_ids"), ["BR.111"]);
    // One conversation, every message on it.
    assert!(conversations.iter().all(|x| *x == conversations[0]));
    let convs = stores.conversations.list_for_contact(&c.id).await.unwrap();
    assert_eq!(convs.len(), 1);
    let msgs = stores
        .messages
        .list_for_conversation(&conversations[0])
        .await
        .unwrap();
    assert_eq!(msgs.len(), steps.len());
    assert!(msgs.iter().all(|m| m.contact_id.as_ref() == Some(&c.id)));
}

/// A contact imported by phone (`+525512345678`) is the one a Mexican
/// mobile writing as `5215512345678` is; a message arriving from a new
/// number before its `user_changed_number` notice is merged in when the
/// notice comes.
pub async fn imported_and_out_of_order(stores: Stores) {
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    let p = WebhookProcessor::new(stores.clone(), clock);
    let imported = stores
        .contacts
        .upsert(
            &Contact {
                id: ContactId::new("crm-42"),
                e164: Some("+525512345678".parse().expect("valid id")),
                name: Some("Luis".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let body = inbound(
        "wamid.mx1",
        1_750_000_001,
        Some("5215512345678"),
        None,
        None,
        text("hola"),
    );
    let r = p.process(&parse_body(&body).unwrap()).await.unwrap();
    assert_eq!(r.new_messages[0].contact_id, imported.id);
    let c = stores.contacts.get(&imported.id).await.unwrap().unwrap();
    assert_eq!(c.wa_id.as_deref(), Some("5215512345678"));
    assert_eq!(c.name.as_deref(), Some("Luis"), "an imported name is kept");

    // The new number writes first (a second contact for now) ...
    let body = inbound(
        "wamid.mx2",
        1_750_000_002,
        Some("5215587654321"),
        None,
        None,
        text("nuevo"),
    );
    let r = p.process(&parse_body(&body).unwrap()).await.unwrap();
    assert_ne!(r.new_messages[0].contact_id, imported.id);
    assert_eq!(all_contacts(&stores).await.len(), 2);
    // ... then the notice from the old one: one contact again, history kept.
    let body = inbound(
        "wamid.mx3",
        1_750_000_003,
        Some("5215512345678"),
        None,
        None,
        serde_json::json!({
        "type": "system",
        "system": {"body": "changed", "wa_id": "5215587654321", "type": "user_changed_number"}}),
    );
    p.process(&parse_body(&body).unwrap()).await.unwrap();
    let contacts = all_contacts(&stores).await;
    assert_eq!(contacts.len(), 1, "{contacts:#?}");
    assert_eq!(contacts[0].id, imported.id);
    assert_eq!(contacts[0].wa_id.as_deref(), Some("5215587654321"));
    assert_eq!(contacts[0].e164.as_deref(), Some("+525587654321"));
    let msgs = stores
        .messages
        .list_for_contact(&imported.id)
        .await
        .unwrap();
    assert_eq!(msgs.len(), 3);
}

/// A status's `recipient_user_id` (and `recipient_id`) lands on the contact
/// the message was sent to, found through the message.
pub async fn status_teaches_the_recipient(stores: Stores) {
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    let p = WebhookProcessor::new(stores.clone(), clock);
    let c = stores
        .contacts
        .upsert(
            &Contact {
                id: ContactId::new("crm-7"),
                e164: Some("+16505551234".parse().expect("valid id")),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let rec = MessageRecord {
        id: MessageId::new("wamid.out1"),
        phone_number_id: PhoneNumberId::new(PHONE),
        conversation_id: None,
        contact_id: Some(c.id.clone()),
        direction: Direction::Outbound,
        msg_type: "text".into(),
        body: serde_json::json!({"body": "hello"}),
        status: None,
        status_times: Default::default(),
        error: None,
        agent_id: None,
        campaign_id: None,
        created_at: 1_750_000_000_000,
    };
    stores.messages.record_outbound(&rec).await.unwrap();
    let body = serde_json::to_vec(
        &serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
        "statuses": [{"id": "wamid.out1", "status": "sent", "timestamp": "1750000001",
            "recipient_id": "16505551234", "recipient_user_id": "US.777"}]}}]}]}),
    )
    .unwrap();
    let r = p.process(&parse_body(&body).unwrap()).await.unwrap();
    assert_eq!(r.statuses_applied, 1);
    let c = stores.contacts.get(&c.id).await.unwrap().unwrap();
    assert_eq!(c.bsuid.as_deref(), Some("US.777"));
    assert_eq!(c.wa_id.as_deref(), Some("16505551234"));
}

/// A Graph stand-in that accepts every send and answers with the canonical
/// wa_id and a BSUID for the recipient (as Meta does for a Mexican number
/// written without the `1`); returns its base URL.
async fn graph_answering(wa_id: &'static str, user_id: &'static str) -> String {
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| async move {
        let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        axum::Json(serde_json::json!({"messaging_product": "whatsapp",
            "contacts": [{"input": req["to"], "wa_id": wa_id, "user_id": user_id}],
            "messages": [{"id": "wamid.sent1"}]}))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A send's answer teaches the contact the item was sent to, found through
/// the typed number (not string-equal to the stored E.164): its canonical
/// wa_id (the guessed one kept as history) and its BSUID. Another contact is
/// untouched.
pub async fn send_teaches_the_recipient(stores: Stores) {
    use wacrm::client::{CloudApiClient, OutboundMessage, Template};
    use wacrm::scheduler::*;
    use wacrm::store::Category;

    let base = graph_answering("5215512345678", "MX.777").await;
    for (id, e164, wa) in [
        ("crm-mx", "+525512345678", "525512345678"),
        ("crm-other", "+525512345679", "525512345679"),
    ] {
        let c = Contact {
            id: ContactId::new(id),
            e164: Some(e164.parse().expect("valid id")),
            wa_id: Some(wa.parse().expect("valid id")),
            ..Default::default()
        };
        stores.contacts.upsert(&c, None).await.unwrap();
    }
    let client = CloudApiClient::builder()
        .access_token("t")
        .base_url(base)
        .build()
        .unwrap();
    let clock: SharedClock = Arc::new(wacrm::SystemClock);
    let s = Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig::default(),
    );
    let m = OutgoingMessage::new(
        "order-1",
        &PhoneNumberId::new(PHONE),
        "+52 55 1234 5678",
        OutboundMessage::Template(Template::new("order_update", "es_MX")),
        Category::Utility,
    );
    s.enqueue(&m).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    s.run_until_idle(clock.now_millis(), deadline)
        .await
        .unwrap();
    let sent = stores
        .messages
        .get_message(&MessageId::new("wamid.sent1"))
        .await
        .unwrap()
        .expect("the send is stored");
    assert_eq!(sent.contact_id, Some(ContactId::new("crm-mx")));
    let c = stores
        .contacts
        .get(&ContactId::new("crm-mx"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.wa_id.as_deref(),
        Some("5215512345678"),
        "canonical wa_id learned"
    );
    assert_eq!(
        c.bsuid.as_deref(),
        Some("MX.777"),
        "user_id stored as the BSUID"
    );
    assert_eq!(
        c.attributes["previous_wa_ids"],
        serde_json::json!(["525512345678"]),
        "the guessed wa_id kept as history"
    );
    let other = stores
        .contacts
        .get(&ContactId::new("crm-other"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.wa_id.as_deref(), Some("525512345679"));
    assert_eq!(other.bsuid, None);
}
