//! Every outbound message type serializes to the JSON of Meta's documentation
//! (fixtures in `fixtures/client/`), and validation rejects what Meta rejects.

use serde_json::{Value, json};
use wacrm::client::*;
use wacrm::{MediaId, MessageId, Recipient};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/client/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn to(n: &str) -> Recipient {
    Recipient::parse(n)
}

fn check(name: &str, msg: OutboundMessage, recipient: &str, opts: SendOptions) {
    msg.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        msg.to_request_json(&to(recipient), &opts).unwrap(),
        fixture(name),
        "{name}"
    );
    // The message's own serde form is that body without its addressing and
    // per-send fields, and it reads back to the same message.
    let mut wire = fixture(name);
    let o = wire.as_object_mut().unwrap();
    for k in [
        "messaging_product",
        "recipient_type",
        "to",
        "recipient",
        "context",
        "biz_opaque_callback_data",
    ] {
        o.remove(k);
    }
    assert_eq!(
        serde_json::to_value(&msg).unwrap(),
        wire,
        "{name}: serde form"
    );
    let back: OutboundMessage = serde_json::from_value(wire).unwrap();
    assert_eq!(back, msg, "{name}: read back");
}

fn none() -> SendOptions {
    SendOptions::default()
}

#[test]
fn text_variants() {
    check(
        "text",
        OutboundMessage::Text {
            body: "Please visit https://youtu.be/x".into(),
            preview_url: true,
        },
        "+16505551234",
        none(),
    );
    check(
        "text_reply",
        OutboundMessage::text("Yes, it comes in blue."),
        "16505551234",
        SendOptions {
            reply_to: Some(MessageId::new("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI")),
            ..none()
        },
    );
    check(
        "text_bsuid",
        OutboundMessage::text("hello"),
        "US.13491208655302741918",
        none(),
    );
}

#[test]
fn media_variants() {
    check(
        "image_link",
        OutboundMessage::Image(Media::link("https://example.com/a.jpg").caption("New arrivals")),
        "16505551234",
        none(),
    );
    check(
        "video_id",
        OutboundMessage::Video(Media::id("1166846181421424").caption("Demo")),
        "16505551234",
        none(),
    );
    check(
        "audio_id",
        OutboundMessage::Audio(Media::id("1013859600285441")),
        "16505551234",
        none(),
    );
    check(
        "document",
        OutboundMessage::Document(
            Media::id("1376223850470843")
                .caption("Invoice")
                .filename("invoice-42.pdf"),
        ),
        "16505551234",
        none(),
    );
    check(
        "sticker_link",
        OutboundMessage::Sticker(Media::link("https://example.com/s.webp")),
        "16505551234",
        none(),
    );
}

#[test]
fn location_contacts_reaction() {
    check(
        "location",
        OutboundMessage::Location(Location {
            latitude: 37.758056,
            longitude: -122.425332,
            name: Some("META HQ".into()),
            address: Some("1 Hacker Way, Menlo Park, CA 94025".into()),
        }),
        "16505551234",
        none(),
    );
    check(
        "contacts",
        OutboundMessage::Contacts(vec![ContactCard {
            name: ContactName {
                formatted_name: "John Smith".into(),
                first_name: Some("John".into()),
                last_name: Some("Smith".into()),
            },
            phones: vec![ContactPhone {
                phone: "+1 (650) 555-1234".into(),
                kind: Some("WORK".into()),
                wa_id: Some("16505551234".into()),
            }],
            emails: vec![ContactEmail {
                email: "john@example.com".into(),
                kind: Some("WORK".into()),
            }],
            birthday: Some("2012-08-18".into()),
            ..Default::default()
        }]),
        "16505551234",
        none(),
    );
    check(
        "reaction",
        OutboundMessage::Reaction {
            message_id: MessageId::new("wamid.HBgLM"),
            emoji: "😀".into(),
        },
        "16505551234",
        none(),
    );
    check(
        "reaction_remove",
        OutboundMessage::Reaction {
            message_id: MessageId::new("wamid.HBgLM"),
            emoji: String::new(),
        },
        "16505551234",
        none(),
    );
}

fn buttons(n: usize) -> Interactive {
    Interactive::Buttons {
        header: Some(InteractiveHeader::Text("Order #42".into())),
        body: "Confirm delivery tomorrow?".into(),
        footer: Some("Reply below".into()),
        buttons: (0..n)
            .map(|i| ReplyButton {
                id: format!("b{}", i + 1),
                title: ["Yes", "No", "Later", "Never"][i].into(),
            })
            .collect(),
    }
}

#[test]
fn interactive_variants() {
    check(
        "buttons",
        OutboundMessage::Interactive(buttons(2)),
        "16505551234",
        none(),
    );
    check(
        "list",
        OutboundMessage::Interactive(Interactive::List {
            header: Some("Our stores".into()),
            body: "Pick the nearest store".into(),
            footer: Some("Open 9-18".into()),
            button: "Choose".into(),
            sections: vec![
                ListSection {
                    title: Some("Tokyo".into()),
                    rows: vec![
                        ListRow {
                            id: "r1".into(),
                            title: "Shibuya".into(),
                            description: Some("Near the station".into()),
                        },
                        ListRow {
                            id: "r2".into(),
                            title: "Ginza".into(),
                            description: None,
                        },
                    ],
                },
                ListSection {
                    title: Some("Osaka".into()),
                    rows: vec![ListRow {
                        id: "r3".into(),
                        title: "Umeda".into(),
                        description: None,
                    }],
                },
            ],
        }),
        "16505551234",
        none(),
    );
    check(
        "cta_url",
        OutboundMessage::Interactive(Interactive::CtaUrl {
            header: Some("Track".into()),
            body: "Your parcel is on its way".into(),
            footer: None,
            display_text: "Open".into(),
            url: "https://example.com/track/42".into(),
        }),
        "16505551234",
        none(),
    );
    check(
        "flow",
        OutboundMessage::Interactive(Interactive::Flow {
            header: Some("Sign up".into()),
            body: "Tell us about you".into(),
            footer: None,
            action: FlowAction {
                flow_id: Some("1234567890".into()),
                flow_name: None,
                flow_cta: "Open Flow!".into(),
                flow_token: Some("T1".into()),
                flow_action: Some("navigate".into()),
                flow_action_payload: Some(json!({"screen": "WELCOME", "data": {}})),
                mode: None,
            },
        }),
        "16505551234",
        none(),
    );
}

#[test]
fn template_variants() {
    let t = Template::new("order_update", "en_US")
        .header(vec![TemplateParam::Image(MediaSource::Link(
            "https://example.com/h.jpg".into(),
        ))])
        .body(vec![
            TemplateParam::text("Mark"),
            TemplateParam::Currency {
                fallback_value: "$100.99".into(),
                code: "USD".into(),
                amount_1000: 100990,
                name: None,
            },
            TemplateParam::DateTime {
                fallback_value: "February 25, 1977".into(),
                name: None,
            },
        ])
        .button(
            "quick_reply",
            0,
            vec![TemplateParam::Payload("aGlz".into())],
        )
        .button("url", 1, vec![TemplateParam::text("42")]);
    assert_eq!(t.body_param_count(), 3);
    check(
        "template",
        OutboundMessage::Template(t),
        "16505551234",
        none(),
    );
    let named = Template::new("welcome", "ja")
        .header(vec![TemplateParam::Document {
            source: MediaSource::Id(MediaId::new("55")),
            filename: Some("menu.pdf".into()),
        }])
        .body(vec![
            TemplateParam::named("first_name", "花子"),
            TemplateParam::named("code", "FALL25"),
        ]);
    check(
        "template_named",
        OutboundMessage::Template(named),
        "16505551234",
        none(),
    );
    let video = Template::new("promo", "en").header(vec![TemplateParam::Video(MediaSource::Link(
        "https://example.com/v.mp4".into(),
    ))]);
    check(
        "template_video_header",
        OutboundMessage::Template(video),
        "16505551234",
        none(),
    );
    check(
        "template_plain",
        OutboundMessage::Template(Template::new("hello_world", "en_US")),
        "16505551234",
        none(),
    );
}

fn field_of(msg: OutboundMessage) -> String {
    match msg.validate().unwrap_err() {
        wacrm::Error::Validation { field, .. } => field,
        other => panic!("expected validation error, got {other:?}"),
    }
}

#[test]
fn validation_rejects_what_meta_rejects() {
    assert_eq!(field_of(OutboundMessage::text("")), "text.body");
    assert_eq!(
        field_of(OutboundMessage::text("x".repeat(4097))),
        "text.body"
    );
    assert!(
        OutboundMessage::text("é".repeat(4096)).validate().is_ok(),
        "limit counts characters"
    );
    assert_eq!(
        field_of(OutboundMessage::Interactive(buttons(4))),
        "interactive.action.buttons"
    );
    let mut long_title = buttons(1);
    if let Interactive::Buttons { buttons, .. } = &mut long_title {
        buttons[0].title = "t".repeat(21);
    }
    assert_eq!(
        field_of(OutboundMessage::Interactive(long_title)),
        "interactive.action.buttons[0].title"
    );
    let mut dup = buttons(2);
    if let Interactive::Buttons { buttons, .. } = &mut dup {
        buttons[1].id = "b1".into();
    }
    assert_eq!(
        field_of(OutboundMessage::Interactive(dup)),
        "interactive.action.buttons[1].id"
    );
    let eleven_rows = Interactive::List {
        header: None,
        body: "b".into(),
        footer: None,
        button: "Go".into(),
        sections: vec![ListSection {
            title: None,
            rows: (0..11)
                .map(|i| ListRow {
                    id: format!("r{i}"),
                    title: "t".into(),
                    description: None,
                })
                .collect(),
        }],
    };
    assert_eq!(
        field_of(OutboundMessage::Interactive(eleven_rows)),
        "interactive.action.sections"
    );
    let untitled = Interactive::List {
        header: None,
        body: "b".into(),
        footer: None,
        button: "Go".into(),
        sections: vec![
            ListSection {
                title: None,
                rows: vec![ListRow {
                    id: "a".into(),
                    title: "t".into(),
                    description: None,
                }],
            },
            ListSection {
                title: None,
                rows: vec![ListRow {
                    id: "b".into(),
                    title: "t".into(),
                    description: None,
                }],
            },
        ],
    };
    assert_eq!(
        field_of(OutboundMessage::Interactive(untitled)),
        "interactive.action.sections[0].title"
    );
    let bad_url = Interactive::CtaUrl {
        header: None,
        body: "b".into(),
        footer: None,
        display_text: "Open".into(),
        url: "ftp://x".into(),
    };
    assert_eq!(
        field_of(OutboundMessage::Interactive(bad_url)),
        "interactive.action.parameters.url"
    );
    let both = Interactive::Flow {
        header: None,
        body: "b".into(),
        footer: None,
        action: FlowAction {
            flow_id: Some("1".into()),
            flow_name: Some("n".into()),
            flow_cta: "Go".into(),
            flow_token: None,
            flow_action: None,
            flow_action_payload: None,
            mode: None,
        },
    };
    assert_eq!(
        field_of(OutboundMessage::Interactive(both)),
        "interactive.action.parameters"
    );
    let mixed = Template::new("t", "en").body(vec![
        TemplateParam::named("a", "1"),
        TemplateParam::text("2"),
    ]);
    assert_eq!(
        field_of(OutboundMessage::Template(mixed)),
        "template.components[0].parameters[1]"
    );
    let bad_name = Template::new("t", "en").body(vec![TemplateParam::named("First Name", "1")]);
    assert_eq!(
        field_of(OutboundMessage::Template(bad_name)),
        "template.components[0].parameters[0].parameter_name"
    );
    let url_button = Template::new("t", "en").button("url", 0, vec![]);
    assert_eq!(
        field_of(OutboundMessage::Template(url_button)),
        "template.components[0].parameters"
    );
    let currency = Template::new("t", "en").body(vec![TemplateParam::Currency {
        fallback_value: "1".into(),
        code: "usd".into(),
        amount_1000: 1,
        name: None,
    }]);
    assert_eq!(
        field_of(OutboundMessage::Template(currency)),
        "template.components[0].parameters[0].code"
    );
    assert_eq!(
        field_of(OutboundMessage::Location(Location {
            latitude: 91.0,
            longitude: 0.0,
            name: None,
            address: None
        })),
        "location.latitude"
    );
    assert_eq!(field_of(OutboundMessage::Contacts(vec![])), "contacts");
    assert_eq!(
        field_of(OutboundMessage::Image(Media::link("not a url"))),
        "image.link"
    );
    assert_eq!(
        field_of(OutboundMessage::Audio(Media::id("1").caption("no"))),
        "audio"
    );
    assert_eq!(
        field_of(OutboundMessage::Image(Media::id("1").filename("x.jpg"))),
        "image.filename"
    );
}

#[test]
fn message_roundtrips_through_serde() {
    // The outbox stores messages as JSON; every variant must come back identical.
    let msgs = vec![
        OutboundMessage::text("hi"),
        OutboundMessage::Interactive(buttons(3)),
        OutboundMessage::Template(Template::new("t", "en").body(vec![TemplateParam::text("x")])),
        OutboundMessage::Reaction {
            message_id: MessageId::new("wamid.1"),
            emoji: "👍".into(),
        },
    ];
    for m in msgs {
        let v = serde_json::to_value(&m).unwrap();
        let back: OutboundMessage = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
    }
}

#[test]
fn wire_form_reads_inbound_shape_and_rejects_mismatch() {
    // An inbound webhook message has the same `type` + payload shape.
    let inbound = json!({"from": "16505551234", "id": "wamid.X", "timestamp": "1700000000",
        "type": "text", "text": {"body": "hi"}});
    let m: OutboundMessage = serde_json::from_value(inbound).unwrap();
    assert_eq!(m, OutboundMessage::text("hi"));
    let image = json!({"type": "image", "image": {"id": "77", "mime_type": "image/jpeg"}});
    let m: OutboundMessage = serde_json::from_value(image).unwrap();
    assert_eq!(m, OutboundMessage::Image(Media::id("77")));
    let mismatch = json!({"type": "image", "text": {"body": "hi"}});
    let err = serde_json::from_value::<OutboundMessage>(mismatch).unwrap_err();
    assert!(err.to_string().contains("type is \"image\""), "{err}");
    let list_image_header = json!({"type": "interactive", "interactive": {"type": "list",
        "header": {"type": "image", "image": {"link": "https://example.com/a.jpg"}},
        "body": {"text": "b"}, "action": {"button": "Go", "sections": []}}});
    assert!(serde_json::from_value::<OutboundMessage>(list_image_header).is_err());
}
