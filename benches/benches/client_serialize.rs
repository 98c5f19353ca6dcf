//! Serialization + validation + request body building per message type.
//! cargo bench -p wacrm-benches --bench client_serialize

use std::time::Duration;

use wacrm::client::*;
use wacrm::{MessageId, Recipient};
use wacrm_benches::time_for;

fn main() {
    let to = Recipient::parse("+819012345678");
    let opts = SendOptions::default();
    let cases: Vec<(&str, OutboundMessage)> = vec![
        (
            "text",
            OutboundMessage::text("Hello, your order has shipped."),
        ),
        (
            "image",
            OutboundMessage::Image(Media::link("https://example.com/a.jpg").caption("New")),
        ),
        (
            "location",
            OutboundMessage::Location(Location {
                latitude: 35.6,
                longitude: 139.7,
                name: Some("Tokyo".into()),
                address: None,
            }),
        ),
        (
            "reaction",
            OutboundMessage::Reaction {
                message_id: MessageId::new("wamid.X"),
                emoji: "👍".into(),
            },
        ),
        (
            "buttons",
            OutboundMessage::Interactive(Interactive::Buttons {
                header: None,
                body: "Confirm?".into(),
                footer: None,
                buttons: vec![
                    ReplyButton {
                        id: "y".into(),
                        title: "Yes".into(),
                    },
                    ReplyButton {
                        id: "n".into(),
                        title: "No".into(),
                    },
                ],
            }),
        ),
        (
            "template (3 params)",
            OutboundMessage::Template(Template::new("order_update", "en_US").body(vec![
                TemplateParam::text("Ana"),
                TemplateParam::text("#42"),
                TemplateParam::Currency {
                    fallback_value: "$1".into(),
                    code: "USD".into(),
                    amount_1000: 1000,
                    name: None,
                },
            ])),
        ),
    ];
    for (name, m) in cases {
        let (n, t) = time_for(Duration::from_millis(700), || {
            m.validate().expect("valid");
            let body = m.to_request_json(&to, &opts).expect("body");
            std::hint::black_box(serde_json::to_vec(&body).expect("json"));
        });
        println!(
            "client {name:20} validate+build+serialize: {:.0} ns",
            t.as_nanos() as f64 / n as f64
        );
    }
}
