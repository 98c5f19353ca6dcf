//! Reading the message shape of earlier versions, `{"type", "content"}` with
//! `kind`-tagged interactive bodies and template parts, to rewrite stored rows
//! in the wire form. Nothing writes this shape any more.

use serde::Deserialize;
use serde_json::Value;

use super::messages::*;
use crate::ids::MessageId;

#[derive(Deserialize)]
#[serde(
    remote = "OutboundMessage",
    tag = "type",
    content = "content",
    rename_all = "snake_case"
)]
enum LegacyMessage {
    Text {
        body: String,
        preview_url: bool,
    },
    Image(#[serde(with = "LegacyMedia")] Media),
    Audio(#[serde(with = "LegacyMedia")] Media),
    Video(#[serde(with = "LegacyMedia")] Media),
    Document(#[serde(with = "LegacyMedia")] Media),
    Sticker(#[serde(with = "LegacyMedia")] Media),
    Location(Location),
    Contacts(Vec<ContactCard>),
    Reaction {
        message_id: MessageId,
        emoji: String,
    },
    Interactive(#[serde(with = "LegacyInteractive")] Interactive),
    Template(#[serde(with = "LegacyTemplate")] Template),
}

#[derive(Deserialize)]
#[serde(remote = "Media")]
struct LegacyMedia {
    source: MediaSource,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
}

#[derive(Deserialize)]
#[serde(remote = "InteractiveHeader", rename_all = "snake_case")]
enum LegacyHeader {
    Text(String),
    Image(MediaSource),
    Video(MediaSource),
    Document(MediaSource),
}

#[derive(Deserialize)]
struct Header(#[serde(with = "LegacyHeader")] InteractiveHeader);

fn header<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<InteractiveHeader>, D::Error> {
    Ok(Option::<Header>::deserialize(d)?.map(|h| h.0))
}

#[derive(Deserialize)]
#[serde(remote = "Interactive", tag = "kind", rename_all = "snake_case")]
enum LegacyInteractive {
    Buttons {
        #[serde(deserialize_with = "header")]
        header: Option<InteractiveHeader>,
        body: String,
        footer: Option<String>,
        buttons: Vec<ReplyButton>,
    },
    List {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        button: String,
        sections: Vec<ListSection>,
    },
    CtaUrl {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        display_text: String,
        url: String,
    },
    Flow {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        action: FlowAction,
    },
}

#[derive(Deserialize)]
#[serde(remote = "Template")]
struct LegacyTemplate {
    name: String,
    language: String,
    #[serde(default, deserialize_with = "components")]
    components: Vec<TemplateComponent>,
}

#[derive(Deserialize)]
struct Component(#[serde(with = "LegacyComponent")] TemplateComponent);

fn components<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<TemplateComponent>, D::Error> {
    Ok(Vec::<Component>::deserialize(d)?
        .into_iter()
        .map(|c| c.0)
        .collect())
}

#[derive(Deserialize)]
#[serde(
    remote = "TemplateComponent",
    tag = "kind",
    content = "value",
    rename_all = "snake_case"
)]
enum LegacyComponent {
    Header(#[serde(deserialize_with = "params")] Vec<TemplateParam>),
    Body(#[serde(deserialize_with = "params")] Vec<TemplateParam>),
    Button {
        sub_type: String,
        index: u8,
        #[serde(deserialize_with = "params")]
        parameters: Vec<TemplateParam>,
    },
}

#[derive(Deserialize)]
struct Param(#[serde(with = "LegacyParam")] TemplateParam);

fn params<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<TemplateParam>, D::Error> {
    Ok(Vec::<Param>::deserialize(d)?
        .into_iter()
        .map(|p| p.0)
        .collect())
}

#[derive(Deserialize)]
#[serde(
    remote = "TemplateParam",
    tag = "kind",
    content = "value",
    rename_all = "snake_case"
)]
enum LegacyParam {
    Text {
        text: String,
        name: Option<String>,
    },
    Currency {
        fallback_value: String,
        code: String,
        amount_1000: i64,
        name: Option<String>,
    },
    DateTime {
        fallback_value: String,
        name: Option<String>,
    },
    Image(MediaSource),
    Document {
        source: MediaSource,
        filename: Option<String>,
    },
    Video(MediaSource),
    Payload(String),
    Action(Value),
}

/// A message body in the earlier `{"type", "content"}` shape rewritten in the
/// wire form, other top-level fields (such as `automated`) kept. `None` when
/// the body is not in the earlier shape or does not read as a message.
pub(crate) fn legacy_body_to_wire(body: &Value) -> Option<Value> {
    let obj = body.as_object()?;
    if !(obj.contains_key("type") && obj.contains_key("content")) {
        return None;
    }
    // Adjacently tagged: keys other than `type` and `content` are ignored here.
    let message = LegacyMessage::deserialize(body).ok()?;
    let Value::Object(mut wire) = serde_json::to_value(&message).ok()? else {
        return None;
    };
    for (k, v) in obj {
        if k != "type" && k != "content" {
            wire.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Some(Value::Object(wire))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/client/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    /// Every request fixture has its message in the earlier shape next to it
    /// (`legacy/`); the rewrite gives the request body minus its addressing.
    #[test]
    fn every_legacy_fixture_becomes_the_wire_form() {
        let dir = format!(
            "{}/tests/fixtures/client/legacy",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            let mut want = read(&name);
            let o = want.as_object_mut().unwrap();
            for k in ["messaging_product", "recipient_type", "to", "recipient"] {
                o.remove(k);
            }
            // Per-send fields were never part of the stored message.
            o.remove("context");
            o.remove("biz_opaque_callback_data");
            let got = legacy_body_to_wire(&read(&format!("legacy/{name}")));
            assert_eq!(got, Some(want), "{name}");
            n += 1;
        }
        assert_eq!(n, 20, "one legacy fixture per request fixture");
    }

    #[test]
    fn extra_fields_kept_and_other_shapes_left_alone() {
        let old = serde_json::json!({"type": "text", "content": {"body": "hi", "preview_url": false},
            "automated": true});
        let new = legacy_body_to_wire(&old).unwrap();
        assert_eq!(
            new,
            serde_json::json!({"type": "text", "text": {"body": "hi", "preview_url": false},
                "automated": true})
        );
        assert_eq!(legacy_body_to_wire(&new), None, "already in wire form");
        let inbound = serde_json::json!({"from": "1", "type": "text", "text": {"body": "x"}});
        assert_eq!(legacy_body_to_wire(&inbound), None);
        assert_eq!(legacy_body_to_wire(&Value::Null), None);
    }
}
