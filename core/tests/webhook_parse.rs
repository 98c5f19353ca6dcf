//! C2 parsing and signature checks over fixture bodies written from Meta's
//! webhook documentation (`tests/fixtures/webhook/`).

use std::collections::HashMap;
use std::path::PathBuf;

use proptest::prelude::*;
use wacrm::ErrorKind;
use wacrm::webhook::{
    InteractiveReply, MessageContent, Path, SignatureProblem, SignatureVerifier, StatusKind,
    WebhookEvent, parse_body, parse_with, verify_and_parse, verify_subscription,
};

const SECRET: &str = "fixture-app-secret";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhook")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(format!("{name}.json"))).unwrap()
}

fn events(name: &str) -> Vec<WebhookEvent> {
    parse_body(&fixture(name)).unwrap()
}

fn one_message(name: &str) -> Box<wacrm::webhook::InboundEvent> {
    let mut ev = events(name);
    assert_eq!(ev.len(), 1, "{name}: {ev:?}");
    match ev.remove(0) {
        WebhookEvent::Message(m) => {
            assert_eq!(m.routing.phone_number_id, "106540352242922");
            assert_eq!(m.routing.waba_id, "102290129340398");
            m
        }
        other => panic!("{name}: expected a message, got {other:?}"),
    }
}

fn one_status(name: &str) -> Box<wacrm::webhook::StatusEvent> {
    let mut ev = events(name);
    assert_eq!(ev.len(), 1, "{name}: {ev:?}");
    match ev.remove(0) {
        WebhookEvent::Status(s) => {
            assert_eq!(s.routing.phone_number_id, "106540352242922");
            s
        }
        other => panic!("{name}: expected a status, got {other:?}"),
    }
}

/// Signatures computed independently (Python `hmac`) over each fixture's bytes.
fn signatures() -> HashMap<String, String> {
    std::fs::read_to_string(dir().join("SIGNATURES"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (n, s) = l.split_once(' ').unwrap();
            (n.to_string(), s.to_string())
        })
        .collect()
}

#[test]
fn every_fixture_verifies_against_an_independent_signature() {
    let v = SignatureVerifier::new(SECRET);
    let sigs = signatures();
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let body = std::fs::read(&path).unwrap();
        let sig = sigs
            .get(&name)
            .unwrap_or_else(|| panic!("no signature for {name}"));
        assert_eq!(&v.sign(&body), sig, "{name}");
        verify_and_parse(&v, &body, Some(sig)).unwrap_or_else(|e| panic!("{name}: {e}"));
        n += 1;
    }
    assert!(n >= 35, "only {n} fixtures");
}

#[test]
fn non_ascii_bodies_verify_on_raw_bytes_raw_and_escaped() {
    let v = SignatureVerifier::new(SECRET);
    let sigs = signatures();
    let raw = fixture("nonascii_raw");
    let escaped = fixture("nonascii_escaped");
    assert!(raw.iter().any(|b| *b >= 0x80), "raw fixture is UTF-8");
    assert!(escaped.is_ascii(), "escaped fixture is ASCII");
    assert_ne!(raw, escaped);
    let raw_sig = &sigs["nonascii_raw.json"];
    let esc_sig = &sigs["nonascii_escaped.json"];
    let a = verify_and_parse(&v, &raw, Some(raw_sig)).unwrap();
    let b = verify_and_parse(&v, &escaped, Some(esc_sig)).unwrap();
    // Each body verifies only with the signature of its own bytes.
    assert_eq!(
        v.check(&raw, Some(esc_sig)),
        Err(SignatureProblem::Mismatch)
    );
    assert_eq!(
        v.check(&escaped, Some(raw_sig)),
        Err(SignatureProblem::Mismatch)
    );
    // Both decode to the same text, surrogate-pair emoji included.
    for ev in [&a, &b] {
        let WebhookEvent::Message(m) = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            m.content.text(),
            Some("こんにちは、注文の状況を教えてください 😀🎉 äöå")
        );
        assert_eq!(
            m.contact.as_ref().unwrap().name.as_deref(),
            Some("山田 太郎")
        );
    }
}

#[test]
fn signature_errors_are_distinct_and_webhook_kind() {
    let v = SignatureVerifier::new(SECRET);
    let body = fixture("text");
    let good = v.sign(&body);
    assert_eq!(v.check(&body, None), Err(SignatureProblem::Missing));
    for bad in [
        "",
        "sha256=",
        "sha1=abcd",
        "sha256=xyz",
        &good[..good.len() - 1],
    ] {
        assert_eq!(
            v.check(&body, Some(bad)),
            Err(SignatureProblem::Malformed),
            "{bad}"
        );
    }
    let mut flipped = good.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(
        v.check(&body, Some(&flipped)),
        Err(SignatureProblem::Mismatch)
    );
    // Upper-case hex is the same digest.
    assert!(
        v.check(
            &body,
            Some(&good.to_uppercase().replace("SHA256=", "sha256="))
        )
        .is_ok()
    );
    // Another secret does not verify.
    let other = SignatureVerifier::new("another-secret");
    assert_eq!(
        other.check(&body, Some(&good)),
        Err(SignatureProblem::Mismatch)
    );
    let e = verify_and_parse(&other, &body, Some(&good)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Webhook);
    assert!(!format!("{other:?}").contains("another-secret"));
}

/// A body that is not UTF-8 reports the signature problem first, and the
/// encoding problem only once the signature matches (as a check before
/// parsing would).
#[test]
fn a_signature_problem_comes_before_a_parse_problem() {
    let v = SignatureVerifier::new(SECRET);
    let body = b"{\"entry\":[\xff]}";
    let good = v.sign(body);
    let bad = SignatureVerifier::new("another-secret").sign(body);
    let e = verify_and_parse(&v, body, Some(&bad)).unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
    let e = verify_and_parse(&v, body, Some(&good)).unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    let e = verify_and_parse(&v, b"{\"entry\":", Some(&v.sign(b"{\"entry\":"))).unwrap_err();
    assert!(e.to_string().contains("not JSON"), "{e}");
    let e = verify_and_parse(&v, b"{\"entry\":", Some(&good)).unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
}

#[test]
fn handshake_echoes_the_challenge_only_for_the_right_token() {
    assert_eq!(
        verify_subscription(Some("subscribe"), Some("vt"), Some("1158201444"), "vt").unwrap(),
        "1158201444"
    );
    for (mode, token, challenge) in [
        (Some("subscribe"), Some("wrong"), Some("1")),
        (Some("subscribe"), Some("v"), Some("1")),
        (None, Some("vt"), Some("1")),
        (Some("subscribe"), None, Some("1")),
        (Some("subscribe"), Some("vt"), None),
    ] {
        let e = verify_subscription(mode, token, challenge, "vt").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Webhook);
    }
}

#[test]
fn text_with_identity_fields() {
    let m = one_message("text");
    assert_eq!(
        m.id.0,
        "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    );
    assert_eq!(m.from.as_deref(), Some("16505551234"));
    assert_eq!(m.timestamp, 1749416383);
    assert_eq!(
        m.content,
        MessageContent::Text {
            body: "Does it come in another color?".into()
        }
    );
    assert_eq!(
        m.contact.as_ref().unwrap().name.as_deref(),
        Some("Sheena Nelson")
    );

    let m = one_message("text_bsuid");
    assert_eq!(m.from_user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(
        m.from_parent_user_id.as_deref(),
        Some("US.ENT.11815799212886844830")
    );
    let c = m.contact.as_ref().unwrap();
    assert_eq!(c.username.as_deref(), Some("@sheena"));
    assert_eq!(c.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(
        c.parent_user_id.as_deref(),
        Some("US.ENT.11815799212886844830")
    );

    let m = one_message("text_username_only");
    assert_eq!(m.from, None);
    assert_eq!(m.from_user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(
        m.contact.as_ref().unwrap().username.as_deref(),
        Some("@sheena")
    );
}

#[test]
fn media_messages() {
    let MessageContent::Image(i) = one_message("image").content else {
        panic!()
    };
    assert_eq!(i.id, "1003383421387256");
    assert_eq!(i.caption.as_deref(), Some("Fox"));
    assert_eq!(i.mime_type.as_deref(), Some("image/jpeg"));
    // `url` is not modelled; it is kept.
    assert!(i.extra["url"].as_str().unwrap().starts_with("https://"));
    let MessageContent::Audio(a) = one_message("audio_voice").content else {
        panic!()
    };
    assert_eq!(a.voice, Some(true));
    let MessageContent::Video(v) = one_message("video").content else {
        panic!()
    };
    assert_eq!(v.caption.as_deref(), Some("Clip"));
    let MessageContent::Document(d) = one_message("document").content else {
        panic!()
    };
    assert_eq!(d.filename.as_deref(), Some("invoice.pdf"));
    let MessageContent::Sticker(s) = one_message("sticker").content else {
        panic!()
    };
    assert_eq!(s.animated, Some(false));
}

#[test]
fn location_and_contacts() {
    let MessageContent::Location(l) = one_message("location").content else {
        panic!()
    };
    assert_eq!(l.latitude, 37.483307);
    assert_eq!(l.name.as_deref(), Some("Philz Coffee"));
    let MessageContent::Contacts { contacts } = one_message("contacts").content else {
        panic!()
    };
    assert_eq!(contacts[0]["phones"][0]["wa_id"], "19405551234");
}

#[test]
fn interactive_replies_and_button() {
    let m = one_message("interactive_button_reply");
    assert_eq!(
        m.context.as_ref().unwrap().id.as_deref(),
        Some("wamid.OUTBOUND1")
    );
    assert_eq!(
        m.content,
        MessageContent::Interactive(InteractiveReply::ButtonReply {
            id: "change-button".into(),
            title: "Change".into()
        })
    );
    assert_eq!(
        one_message("interactive_list_reply").content,
        MessageContent::Interactive(InteractiveReply::ListReply {
            id: "priority_express".into(),
            title: "Express Shipping".into(),
            description: Some("Next Day to 2 Days".into())
        })
    );
    let MessageContent::Interactive(InteractiveReply::NfmReply {
        name,
        response_json,
        ..
    }) = one_message("interactive_nfm_reply").content
    else {
        panic!()
    };
    assert_eq!(name.as_deref(), Some("flow"));
    let answer: serde_json::Value = serde_json::from_str(&response_json.unwrap()).unwrap();
    assert_eq!(answer["rating"], "5");
    assert_eq!(
        one_message("button").content,
        MessageContent::Button {
            text: "Stop promotions".into(),
            payload: Some("unsubscribe".into())
        }
    );
}

#[test]
fn reactions_order_system_welcome() {
    assert_eq!(
        one_message("reaction").content,
        MessageContent::Reaction {
            message_id: "wamid.OUTBOUND5".into(),
            emoji: Some("👍".into())
        }
    );
    assert_eq!(
        one_message("reaction_removed").content,
        MessageContent::Reaction {
            message_id: "wamid.OUTBOUND5".into(),
            emoji: None
        }
    );
    let MessageContent::Order {
        catalog_id,
        product_items,
        text,
    } = one_message("order").content
    else {
        panic!()
    };
    assert_eq!(catalog_id.as_deref(), Some("194836987003835"));
    assert_eq!(product_items[0]["quantity"], 2);
    assert_eq!(text.as_deref(), Some("Please ship quickly"));
    let m = one_message("system_changed_number");
    assert!(m.contact.is_none());
    let MessageContent::System {
        system_type, wa_id, ..
    } = m.content
    else {
        panic!()
    };
    assert_eq!(system_type.as_deref(), Some("user_changed_number"));
    assert_eq!(wa_id.as_deref(), Some("12195555358"));
    let MessageContent::System {
        system_type,
        user_id,
        ..
    } = one_message("system_changed_user_id").content
    else {
        panic!()
    };
    assert_eq!(system_type.as_deref(), Some("user_changed_user_id"));
    assert_eq!(user_id.as_deref(), Some("US.99999999999999999999"));
    assert_eq!(
        one_message("request_welcome").content,
        MessageContent::RequestWelcome
    );
}

#[test]
fn referral_and_reply_context_keep_unmodelled_fields() {
    let m = one_message("referral_ad");
    let r = m.referral.as_ref().unwrap();
    assert_eq!(r.source_type.as_deref(), Some("ad"));
    assert_eq!(
        r.ctwa_clid.as_deref(),
        Some("Afe7ML3aboAr1lEbkrkz1yvtqrnFWQ")
    );
    assert_eq!(r.extra["media_type"], "image");
    assert_eq!(r.extra["welcome_message"]["text"], "Hi! How can we help?");
    let m = one_message("reply_context");
    let c = m.context.as_ref().unwrap();
    assert_eq!(c.id.as_deref(), Some("wamid.OUTBOUND6"));
    assert_eq!(c.forwarded, Some(true));
    assert_eq!(
        c.referred_product.as_ref().unwrap()["product_retailer_id"],
        "di9ozbzfi4"
    );
}

#[test]
fn unsupported_and_unknown_types_keep_raw() {
    let m = one_message("unsupported");
    assert_eq!(m.content, MessageContent::Unsupported);
    assert_eq!(m.errors[0].code, 131051);
    assert_eq!(
        m.errors[0].details(),
        Some("Message type is currently not supported.")
    );
    let m = one_message("unknown_type");
    assert_eq!(m.content.type_name(), "hologram");
    let raw: serde_json::Value = serde_json::from_str(m.raw.get()).unwrap();
    assert_eq!(raw["hologram"]["shimmer"], true);
}

#[test]
fn statuses() {
    let s = one_status("status_sent");
    assert_eq!(s.status, StatusKind::Sent);
    assert_eq!(s.timestamp, 1750263773);
    assert_eq!(s.recipient_id.as_deref(), Some("16505551234"));
    assert_eq!(s.biz_opaque_callback_data.as_deref(), Some("campaign-7"));
    let p = s.pricing.as_ref().unwrap();
    assert_eq!(p.pricing_model.as_deref(), Some("PMP"));
    assert_eq!(p.category.as_deref(), Some("marketing"));
    assert_eq!(p.pricing_type.as_deref(), Some("regular"));
    assert_eq!(one_status("status_delivered").status, StatusKind::Delivered);
    assert_eq!(one_status("status_read").status, StatusKind::Read);
    assert_eq!(one_status("status_played").status, StatusKind::Played);
    let s = one_status("status_failed");
    assert_eq!(s.status, StatusKind::Failed);
    let g = &s.errors[0];
    assert_eq!(g.code, 131026);
    assert_eq!(g.details(), Some("Message Undeliverable."));
    assert_eq!(
        wacrm::error::classify_code(g.code, None, None),
        ErrorKind::RecipientInvalid
    );
    let s = one_status("status_cbp_conversation");
    assert_eq!(
        s.conversation.as_ref().unwrap()["origin"]["type"],
        "service"
    );
    assert_eq!(
        s.pricing.as_ref().unwrap().pricing_model.as_deref(),
        Some("CBP")
    );
    let s = one_status("status_bsuid");
    assert_eq!(s.recipient_id, None);
    assert_eq!(
        s.recipient_user_id.as_deref(),
        Some("US.13491208655302741918")
    );
}

#[test]
fn system_errors_and_other_fields() {
    let ev = events("errors_system");
    let [WebhookEvent::Error(e)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(e.error.code, 131000);
    assert_eq!(e.routing.phone_number_id, "106540352242922");
    let ev = events("template_status_update");
    let [WebhookEvent::TemplateStatus(u)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(u.field, "message_template_status_update");
    assert_eq!(u.data.event, "APPROVED");
    let raw: serde_json::Value = serde_json::from_str(u.raw.get()).unwrap();
    assert_eq!(raw["event"], "APPROVED");
    // A field Meta has but this version does not model stays whole.
    let ev = events("unknown_field");
    let [WebhookEvent::Unknown(u)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(u.field, "security");
    assert_eq!(u.raw.to_value()["event"], "PIN_CHANGED");
}

#[test]
fn one_odd_entry_never_fails_the_body() {
    let ev = events("multi_entry_odd");
    let kinds: Vec<&str> = ev.iter().map(WebhookEvent::kind).collect();
    // First message, the odd message (id not a string), the odd entry, a read
    // status from the next entry, and the change whose value is not an object.
    assert_eq!(
        kinds,
        ["message", "unknown", "unknown", "status", "unknown"],
        "{ev:?}"
    );
    assert_eq!(ev[0].phone_number_id(), Some("106540352242922"));
    assert_eq!(ev[1].phone_number_id(), Some("106540352242922"));
}

#[test]
fn not_json_is_an_error_other_json_is_unknown() {
    for bad in [&b"{"[..], b"", b"\xff\xfe", b"{\"entry\": [}"] {
        let e = parse_body(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Webhook);
    }
    for odd in [
        &b"[]"[..],
        b"42",
        b"{}",
        b"{\"entry\": 3}",
        b"{\"entry\": null}",
    ] {
        let ev = parse_body(odd).unwrap();
        assert!(ev.iter().all(|e| e.kind() == "unknown"), "{ev:?}");
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop_oneof![
            "[a-z_]{0,12}",
            Just("messages".to_string()),
            Just("text".to_string()),
            Just("statuses".to_string()),
            Just("wamid.X".to_string()),
            "\\PC{0,8}",
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let key = prop_oneof![
            Just("entry".to_string()),
            Just("changes".to_string()),
            Just("value".to_string()),
            Just("field".to_string()),
            Just("messages".to_string()),
            Just("statuses".to_string()),
            Just("contacts".to_string()),
            Just("errors".to_string()),
            Just("metadata".to_string()),
            Just("id".to_string()),
            Just("type".to_string()),
            Just("status".to_string()),
            Just("timestamp".to_string()),
            Just("text".to_string()),
            Just("interactive".to_string()),
            "[a-z_]{1,10}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary JSON never panics the parser and always parses (it is JSON).
    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let body = serde_json::to_vec(&v).unwrap();
        prop_assert!(parse_body(&body).is_ok());
        // Wrapped in a webhook envelope, too.
        let wrapped = serde_json::json!({"entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messages": [v.clone()], "statuses": [v.clone()], "contacts": [v.clone()], "errors": [v]}}]}]});
        prop_assert!(parse_body(&serde_json::to_vec(&wrapped).unwrap()).is_ok());
    }

    /// Arbitrary bytes never panic the parser or the verifier.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256), sig in "\\PC{0,80}") {
        let _ = parse_body(&bytes);
        let _ = SignatureVerifier::new(SECRET).check(&bytes, Some(&sig));
        signed_agrees(&bytes);
    }
}

/// Each event's raw JSON is exactly its object's text in the body, on the
/// one-pass path (every object well formed) and on the lenient path (an odd
/// message forces it), for several entries, changes, messages and statuses.
#[test]
fn raw_json_is_the_exact_object_text() {
    let msg = |id: &str| {
        format!(
            r#"{{ "from":"16505551234","id":"{id}","timestamp":"1","type":"text","text":{{"body":"caf\u00e9 ☕ 日本"}},"future_field":[1, 2] }}"#
        )
    };
    let st = |id: &str| {
        format!(
            r#"{{"id":"{id}", "status":"read","timestamp":"2","recipient_id":"1","new":{{"x":1}}}}"#
        )
    };
    let change = |messages: &[String], statuses: &[String]| {
        format!(
            r#"{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"1","phone_number_id":"2"}},"messages":[{}],"statuses":[{}]}},"field":"messages"}}"#,
            messages.join(", "),
            statuses.join(",\n ")
        )
    };
    let objects_of = |odd: bool| {
        let m1 = msg("wamid.1");
        let m2 = if odd {
            r#"{"id":7,"type":"text"}"#.to_string()
        } else {
            msg("wamid.2")
        };
        let (s1, s2, s3) = (st("wamid.s1"), st("wamid.s2"), st("wamid.s3"));
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"w1","changes":[{},{}]}}, {{"id":"w2","changes":[{}]}}]}}"#,
            change(std::slice::from_ref(&m1), std::slice::from_ref(&s1)),
            change(std::slice::from_ref(&m2), &[]),
            change(&[], &[s2.clone(), s3.clone()])
        );
        (body, vec![m1, s1, m2, s2, s3])
    };
    for odd in [false, true] {
        let (body, objects) = objects_of(odd);
        let ev = parse_body(body.as_bytes()).unwrap();
        let raws: Vec<String> = ev
            .iter()
            .map(|e| match e {
                WebhookEvent::Message(m) => m.raw.get().to_string(),
                WebhookEvent::Status(s) => s.raw.get().to_string(),
                WebhookEvent::Unknown(u) => u.raw.get().to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(raws, objects, "odd = {odd}");
        // Serializing an event writes its raw JSON through unchanged.
        let json = serde_json::to_value(&ev[0]).unwrap();
        assert_eq!(json["raw"]["future_field"], serde_json::json!([1, 2]));
    }
}

/// The events of `body` as JSON on one path, raw JSON included (an event
/// writes its raw text through unchanged).
fn on_path(body: &[u8], path: Path) -> Option<String> {
    parse_with(bytes::Bytes::copy_from_slice(body), path)
        .ok()
        .map(|ev| serde_json::to_string(&ev).unwrap())
}

/// Verifying while parsing (the pull pass hashes the body as it reads) gives
/// exactly what parsing alone gives, and a body changed in one byte gives no
/// events, only the signature error.
fn signed_agrees(body: &[u8]) {
    let v = SignatureVerifier::new(SECRET);
    let sig = v.sign(body);
    let json = |ev: Vec<WebhookEvent>| serde_json::to_string(&ev).unwrap();
    let plain = parse_body(body).map(json).map_err(|e| e.to_string());
    let signed = verify_and_parse(&v, body, Some(&sig))
        .map(json)
        .map_err(|e| e.to_string());
    assert_eq!(signed, plain, "{}", String::from_utf8_lossy(body));
    for at in [0, body.len() / 2, body.len().saturating_sub(1)] {
        let mut changed = body.to_vec();
        if let Some(b) = changed.get_mut(at) {
            *b ^= 0x01;
            let e = verify_and_parse(&v, &changed, Some(&sig)).unwrap_err();
            assert!(e.to_string().contains("does not match"), "{e}");
        }
    }
}

/// The pull pass and the layered path agree on `body`; whether the pull
/// pass took it.
fn paths_agree(body: &[u8]) -> bool {
    signed_agrees(body);
    let layered = on_path(body, Path::Layered);
    match on_path(body, Path::Fast) {
        Some(fast) => {
            assert_eq!(
                Some(&fast),
                layered.as_ref(),
                "{}",
                String::from_utf8_lossy(body)
            );
            true
        }
        None => false,
    }
}

/// Every fixture, as written, with its keys reordered (alphabetical: `field`
/// before `value`, `changes` before `id`) and pretty-printed, gives the same
/// events on both paths, and the pull pass takes every usual body.
#[test]
fn pull_pass_and_layered_path_agree_on_every_fixture() {
    let mut not_taken = Vec::new();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let body = std::fs::read(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let sorted = serde_json::to_vec(&value).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        let taken = [
            paths_agree(&body),
            paths_agree(&sorted),
            paths_agree(&pretty),
        ];
        assert!(taken.iter().all(|t| *t == taken[0]), "{name}: {taken:?}");
        if !taken[0] {
            not_taken.push(name);
        }
    }
    not_taken.sort();
    // Entries that are not objects, and every body of another change `field`
    // (the layered path types those).
    let mut expected = vec!["multi_entry_odd".to_string()];
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if v["entry"][0]["changes"][0]["field"] != "messages" {
            expected.push(path.file_stem().unwrap().to_string_lossy().to_string());
        }
    }
    expected.sort();
    expected.dedup();
    assert!(expected.len() > 15, "{expected:?}");
    assert_eq!(not_taken, expected);
}

/// JSON written by hand, so that object keys can repeat.
#[derive(Clone, Debug)]
enum Hand {
    Leaf(serde_json::Value),
    Array(Vec<Hand>),
    Object(Vec<(&'static str, Hand)>),
}

impl std::fmt::Display for Hand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hand::Leaf(v) => write!(f, "{v}"),
            Hand::Array(items) => {
                let items: Vec<String> = items.iter().map(Hand::to_string).collect();
                write!(f, "[{}]", items.join(","))
            }
            Hand::Object(fields) => {
                let fields: Vec<String> =
                    fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                write!(f, "{{{}}}", fields.join(","))
            }
        }
    }
}

/// Objects shaped like messages, statuses, contacts and metadata, with the
/// usual fields in odd types, nulls, repeats and unknown neighbours.
fn arb_hot() -> impl Strategy<Value = Hand> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (-3i64..2_000_000_000).prop_map(serde_json::Value::from),
        Just(serde_json::json!(1.5)),
        prop_oneof![
            Just("text".to_string()),
            Just("image".to_string()),
            Just("read".to_string()),
            Just("wamid.X".to_string()),
            Just("16505551234".to_string()),
            Just(" 1749416383 ".to_string()),
            Just("caf\u{e9} \"q\" \\ \u{1F600}".to_string()),
            "\\PC{0,6}",
        ]
        .prop_map(serde_json::Value::from),
    ]
    .prop_map(Hand::Leaf);
    leaf.prop_recursive(3, 40, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Hand::Array),
            prop::collection::vec((hot_key(), inner), 0..8).prop_map(Hand::Object),
        ]
    })
}

fn hot_key() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("id"),
        Just("from"),
        Just("from_user_id"),
        Just("from_parent_user_id"),
        Just("timestamp"),
        Just("type"),
        Just("text"),
        Just("body"),
        Just("image"),
        Just("context"),
        Just("errors"),
        Just("status"),
        Just("recipient_id"),
        Just("recipient_user_id"),
        Just("biz_opaque_callback_data"),
        Just("pricing"),
        Just("pricing_model"),
        Just("category"),
        Just("billable"),
        Just("conversation"),
        Just("profile"),
        Just("name"),
        Just("username"),
        Just("wa_id"),
        Just("user_id"),
        Just("display_phone_number"),
        Just("phone_number_id"),
        Just("code"),
        Just("other"),
    ]
}

/// A well-formed object (`base`) with up to three odd fields put in at one
/// place: most bodies stay on the pull pass, some leave it.
fn near(base: Hand) -> impl Strategy<Value = Hand> {
    (
        prop::collection::vec((hot_key(), arb_hot()), 0..3),
        any::<usize>(),
    )
        .prop_map(move |(extra, at)| match base.clone() {
            Hand::Object(mut fields) => {
                let at = at % (fields.len() + 1);
                fields.splice(at..at, extra);
                Hand::Object(fields)
            }
            other => other,
        })
}

fn leaf(v: serde_json::Value) -> Hand {
    Hand::Leaf(v)
}

fn usual_message() -> Hand {
    Hand::Object(vec![
        ("from", leaf("16505551234".into())),
        ("id", leaf("wamid.M".into())),
        ("timestamp", leaf("1749416383".into())),
        ("type", leaf("text".into())),
        (
            "text",
            Hand::Object(vec![("body", leaf("hi \u{1F600}".into()))]),
        ),
    ])
}

fn usual_status() -> Hand {
    Hand::Object(vec![
        ("id", leaf("wamid.S".into())),
        ("status", leaf("read".into())),
        ("timestamp", leaf("1749416384".into())),
        ("recipient_id", leaf("16505551234".into())),
        (
            "pricing",
            Hand::Object(vec![
                ("billable", leaf(true.into())),
                ("pricing_model", leaf("PMP".into())),
                ("category", leaf("utility".into())),
                ("type", leaf("regular".into())),
            ]),
        ),
    ])
}

fn usual_contact() -> Hand {
    Hand::Object(vec![
        (
            "profile",
            Hand::Object(vec![("name", leaf("Sheena".into()))]),
        ),
        ("wa_id", leaf("16505551234".into())),
    ])
}

fn usual_metadata() -> Hand {
    Hand::Object(vec![
        ("display_phone_number", leaf("15550783881".into())),
        ("phone_number_id", leaf("106540352242922".into())),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Odd messages, statuses, contacts and metadata: both paths agree.
    #[test]
    fn pull_pass_and_layered_path_agree_on_odd_bodies(
        m in near(usual_message()), s in near(usual_status()), c in near(usual_contact()),
        meta in near(usual_metadata()), e in arb_hot(), shape in 0u8..4,
    ) {
        let value = match shape {
            0 => format!(r#"{{"metadata":{meta},"contacts":[{c}],"messages":[{m},{m}]}}"#),
            1 => format!(r#"{{"statuses":[{s}],"messages":[{m}],"contacts":[{c}],"metadata":{meta}}}"#),
            2 => format!(r#"{{"messages":[{m}],"statuses":[{s},{m}],"errors":{e}}}"#),
            _ => format!(r#"{{"messages":[{m}],"metadata":{meta},"errors":[{e}]}}"#),
        };
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{value}}}],"id":"w"}}]}}"#
        );
        paths_agree(body.as_bytes());
    }
}
