//! Typed events of the change fields other than `messages` (calls, template,
//! number and account updates, Business app sync), over fixture bodies
//! written from Meta's webhook reference (`tests/fixtures/webhook/`).

use std::path::PathBuf;

use wacrm::webhook::{
    InteractiveReply, MessageContent, Path, WebhookEvent, parse_body, parse_with,
};

fn events(name: &str) -> Vec<WebhookEvent> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook")
        .join(format!("{name}.json"));
    let body = std::fs::read(path).unwrap();
    let ev = parse_body(&body).unwrap();
    // The layered path alone gives the same events (the pull pass hands
    // these bodies over).
    let layered = parse_with(bytes::Bytes::from(body), Path::Layered).unwrap();
    assert_eq!(
        serde_json::to_string(&ev).unwrap(),
        serde_json::to_string(&layered).unwrap()
    );
    for e in &ev {
        assert_ne!(e.kind(), "unknown", "{name}: {e:?}");
    }
    ev
}

const WABA: &str = "102290129340398";

#[test]
fn template_status_paused_and_disabled() {
    let ev = events("template_status_paused");
    let [WebhookEvent::TemplateStatus(t)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(ev[0].kind(), "template_status");
    assert_eq!(t.routing.waba_id, WABA);
    assert_eq!(t.data.event, "PAUSED");
    assert_eq!(t.data.template_id.as_deref(), Some("806312974732579"));
    assert_eq!(t.data.template_name.as_deref(), Some("order_confirmation"));
    assert_eq!(t.data.language.as_deref(), Some("en_US"));
    assert_eq!(t.data.category.as_deref(), Some("UTILITY"));
    assert_eq!(t.data.other_info.as_ref().unwrap()["title"], "FIRST_PAUSE");
    assert_eq!(ev[0].phone_number_id(), None, "an account-level update");
    let ev = events("template_status_disabled");
    let [WebhookEvent::TemplateStatus(t)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(t.data.event, "DISABLED");
    assert_eq!(
        t.data.disable_info.as_ref().unwrap()["disable_date"],
        "1749995583"
    );
}

#[test]
fn template_quality_and_category() {
    let ev = events("template_quality_update");
    let [WebhookEvent::TemplateQuality(q)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(q.data.previous_quality_score.as_deref(), Some("GREEN"));
    assert_eq!(q.data.new_quality_score.as_deref(), Some("YELLOW"));
    assert_eq!(q.data.template_id.as_deref(), Some("806312974732579"));
    let ev = events("template_category_update");
    let [WebhookEvent::TemplateCategory(c)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(c.data.previous_category.as_deref(), Some("UTILITY"));
    assert_eq!(c.data.new_category.as_deref(), Some("MARKETING"));
    assert_eq!(c.data.correct_category, None);
    let ev = events("template_category_impending");
    let [WebhookEvent::TemplateCategory(c)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(c.data.correct_category.as_deref(), Some("MARKETING"));
    assert_eq!(c.data.category_update_timestamp, Some(1749502783));
    assert_eq!(ev[0].kind(), "template_category");
}

#[test]
fn phone_number_quality_and_name() {
    let ev = events("phone_number_quality_update");
    let [WebhookEvent::PhoneNumberQuality(q)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(q.data.event, "UPGRADE");
    assert_eq!(q.data.old_limit.as_deref(), Some("TIER_1K"));
    assert_eq!(q.data.current_limit.as_deref(), Some("TIER_10K"));
    assert_eq!(
        q.data.max_daily_conversations_per_business.as_deref(),
        Some("TIER_10K")
    );
    assert_eq!(q.data.display_phone_number.as_deref(), Some("15550783881"));
    let ev = events("phone_number_name_update");
    let [WebhookEvent::PhoneNumberName(n)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(n.data.decision, "APPROVED");
    assert_eq!(
        n.data.requested_verified_name.as_deref(),
        Some("Lucky Shrub")
    );
    assert_eq!(ev[0].kind(), "phone_number_name");
}

#[test]
fn account_alerts_and_updates() {
    let ev = events("account_alerts");
    let [WebhookEvent::AccountAlert(a)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(a.data.entity_type.as_deref(), Some("PHONE_NUMBER"));
    assert_eq!(a.data.entity_id.as_deref(), Some("106540352242922"));
    let info = a.data.alert_info.as_ref().unwrap();
    assert_eq!(info.alert_type.as_deref(), Some("PROFILE_PICTURE_LOST"));
    assert_eq!(info.alert_severity.as_deref(), Some("WARNING"));
    let ev = events("account_update");
    let [WebhookEvent::AccountUpdate(u)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(u.data.event, "ACCOUNT_VIOLATION");
    assert_eq!(u.data.phone_number.as_deref(), Some("15550783881"));
    assert_eq!(
        u.data.violation_info.as_ref().unwrap()["violation_type"],
        "SCAM"
    );
    let ev = events("account_update_ban");
    let [WebhookEvent::AccountUpdate(u)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(u.data.event, "DISABLED_UPDATE");
    assert_eq!(
        u.data.ban_info.as_ref().unwrap()["waba_ban_state"][0],
        "SCHEDULE_FOR_DISABLE"
    );
    assert_eq!(ev[0].kind(), "account_update");
}

#[test]
fn calls_connect_terminate_and_status() {
    let ev = events("calls_connect");
    let [WebhookEvent::Call(c)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(ev[0].kind(), "call");
    assert_eq!(ev[0].phone_number_id(), Some("106540352242922"));
    assert_eq!(c.routing.waba_id, WABA);
    assert_eq!(c.data.event, "connect");
    assert_eq!(c.data.from.as_deref(), Some("16505551234"));
    assert_eq!(c.data.direction.as_deref(), Some("USER_INITIATED"));
    assert_eq!(c.data.timestamp, Some(1749416383));
    let session = c.data.session.as_ref().unwrap();
    assert_eq!(session.sdp_type.as_deref(), Some("offer"));
    assert!(session.sdp.as_deref().unwrap().starts_with("v=0\r\n"));
    let who = c.data.contact.as_ref().unwrap();
    assert_eq!(who.name.as_deref(), Some("Sheena Nelson"));

    let ev = events("calls_terminate");
    let [WebhookEvent::Call(c)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(c.data.event, "terminate");
    assert_eq!(c.data.status.as_deref(), Some("COMPLETED"));
    assert_eq!(c.data.duration, Some(60));
    assert_eq!(c.data.start_time, Some(1749416390));
    assert_eq!(c.data.end_time, Some(1749416450));
    assert_eq!(
        c.data.biz_opaque_callback_data.as_deref(),
        Some("ticket-4711")
    );

    let ev = events("calls_status");
    let states: Vec<&str> = ev
        .iter()
        .map(|e| match e {
            WebhookEvent::CallStatus(s) => {
                assert_eq!(s.data.status_type.as_deref(), Some("call"));
                assert_eq!(s.data.recipient_id.as_deref(), Some("16505551234"));
                s.data.status.as_str()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(states, ["RINGING", "ACCEPTED", "REJECTED"]);
    assert_eq!(ev[0].kind(), "call_status");
}

#[test]
fn business_app_echoes_history_and_contact_sync() {
    let ev = events("message_echoes");
    let [WebhookEvent::MessageEcho(e)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(e.field, "smb_message_echoes");
    assert_eq!(e.data.from.as_deref(), Some("15550783881"));
    assert_eq!(e.data.to.as_deref(), Some("16505551234"));
    assert_eq!(e.data.timestamp, 1749416500);
    assert_eq!(e.data.content.text(), Some("Yes, it also comes in green."));
    assert_eq!(e.routing.phone_number_id, "106540352242922");

    let ev = events("history");
    let [WebhookEvent::History(h)] = &ev[..] else {
        panic!("{ev:?}")
    };
    let meta = h.data.metadata.as_ref().unwrap();
    assert_eq!(
        (meta.phase, meta.chunk_order, meta.progress),
        (Some(0), Some(1), Some(55))
    );
    assert_eq!(h.data.threads.len(), 1);
    assert_eq!(h.data.threads[0].id, "16505551234");
    assert_eq!(h.data.threads[0].messages.len(), 2);
    assert_eq!(
        h.data.threads[0].messages[0]["history_context"]["status"],
        "READ"
    );
    let ev = events("history_declined");
    let [WebhookEvent::History(h)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(h.data.errors[0].code, 2593109);
    assert!(h.data.threads.is_empty());

    let ev = events("smb_app_state_sync");
    let [WebhookEvent::AppStateSync(a), WebhookEvent::AppStateSync(r)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(a.data.sync_type, "contact");
    assert_eq!(a.data.action.as_deref(), Some("add"));
    let c = a.data.contact.as_ref().unwrap();
    assert_eq!(c.full_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(c.phone_number.as_deref(), Some("16505551234"));
    assert_eq!(
        a.data.metadata.as_ref().unwrap().timestamp,
        Some(1749416600)
    );
    assert_eq!(r.data.action.as_deref(), Some("remove"));
    assert_eq!(ev[0].kind(), "app_state_sync");
}

#[test]
fn an_interactive_message_with_errors_is_interactive() {
    let ev = events("interactive_errors");
    let [WebhookEvent::Message(m)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(m.content.type_name(), "interactive");
    assert!(matches!(
        &m.content,
        MessageContent::Interactive(InteractiveReply::Other { reply_type }) if reply_type == "unavailable"
    ));
    assert_eq!(m.errors.len(), 1);
    assert_eq!(m.errors[0].code, 131051);
}

#[test]
fn every_event_keeps_its_raw_json() {
    for (name, key) in [
        ("template_status_paused", "event"),
        ("calls_connect", "session"),
        ("calls_status", "status"),
        ("account_alerts", "alert_info"),
        ("smb_app_state_sync", "contact"),
        ("history", "threads"),
    ] {
        for e in events(name) {
            let raw = e.raw().unwrap_or_else(|| panic!("{name}: no raw"));
            assert!(raw.to_value().get(key).is_some(), "{name}: {raw}");
            // Serialized, the event carries its kind and raw JSON.
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["kind"], e.kind());
            assert_eq!(json["raw"], raw.to_value());
        }
    }
}

#[test]
fn an_odd_element_is_unknown_and_the_rest_typed() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[
        {"field":"calls","value":{"metadata":{"phone_number_id":"p","display_phone_number":"d"},
          "calls":[{"id":"c1","event":"connect"},[1,2],{"id":7}],
          "statuses":[{"id":"c1","status":"RINGING"}]}},
        {"field":"account_alerts","value":"not an object"},
        {"field":"message_template_status_update","value":{"event":["APPROVED"]}}]}]}"#;
    let ev = parse_body(body).unwrap();
    let kinds: Vec<&str> = ev.iter().map(WebhookEvent::kind).collect();
    assert_eq!(
        kinds,
        [
            "call",
            "unknown",
            "unknown",
            "call_status",
            "unknown",
            "unknown"
        ],
        "{ev:?}"
    );
    let WebhookEvent::Unknown(u) = &ev[1] else {
        panic!()
    };
    assert_eq!(u.field, "calls");
    assert_eq!(u.raw.get(), "[1,2]");
    assert_eq!(u.routing.as_ref().unwrap().phone_number_id, "p");
    let WebhookEvent::Unknown(u) = &ev[4] else {
        panic!()
    };
    assert_eq!(u.field, "account_alerts");
}

#[test]
fn a_known_field_with_nothing_modelled_is_kept_as_unknown() {
    // A `calls` (or echoes, history, sync) value with none of the arrays it is
    // known to carry must not vanish: it comes out whole as an `Unknown`.
    for field in ["calls", "message_echoes", "history", "smb_app_state_sync"] {
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"{field}","value":{{"a":1}}}}]}}]}}"#
        );
        let ev = parse_body(body.as_bytes()).unwrap();
        let [WebhookEvent::Unknown(u)] = &ev[..] else {
            panic!("{field}: {ev:?}")
        };
        assert_eq!(u.field, field);
        assert_eq!(u.raw.get(), r#"{"a":1}"#);
    }
}
