//! Content policies: checks of an outgoing message's words before it is sent
//! (the automation sensitive-word filter is one). A message a check objects to
//! is parked with the check's reason — never sent, never silently dropped —
//! so a person sees why and decides.

use serde_json::Value;

use crate::client::OutboundMessage;

/// A check of outgoing text. `Some(reason)` holds the message back.
pub trait ContentPolicy: Send + Sync {
    /// Why `text` must not be sent, if it must not.
    fn check(&self, text: &str) -> Option<String>;
}

impl ContentPolicy for crate::automation::SensitiveFilter {
    fn check(&self, text: &str) -> Option<String> {
        self.policy(text)
    }
}

/// The words a recipient reads in `m`: text bodies, captions, interactive
/// headers, bodies, footers, button and row titles and descriptions, and
/// template parameters — one line each.
pub fn readable_text(m: &OutboundMessage) -> String {
    fn walk(v: &Value, key: Option<&str>, out: &mut String) {
        match v {
            Value::String(s) => {
                if matches!(
                    key,
                    Some("body" | "text" | "caption" | "title" | "description" | "footer")
                ) {
                    out.push_str(s);
                    out.push('\n');
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, Some(k), out)),
            _ => {}
        }
    }
    let mut out = String::new();
    if let Ok(v) = serde_json::to_value(m) {
        walk(&v, None, &mut out);
    }
    out
}

/// The first objection of `policies` to `m`, as the reason to park it.
pub(super) fn objection(
    policies: &[std::sync::Arc<dyn ContentPolicy>],
    m: &OutboundMessage,
) -> Option<String> {
    if policies.is_empty() {
        return None;
    }
    let text = readable_text(m);
    policies
        .iter()
        .find_map(|p| p.check(&text))
        .map(|reason| format!("content policy: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automation::SensitiveFilter;

    #[test]
    fn text_and_captions_are_read() {
        let t = readable_text(&OutboundMessage::text("Your SENHA is 1234"));
        assert!(t.contains("Your SENHA is 1234"), "{t}");
        let f: Vec<std::sync::Arc<dyn ContentPolicy>> = vec![std::sync::Arc::new(
            SensitiveFilter::new(&["senha".into()]).unwrap(),
        )];
        assert_eq!(
            objection(&f, &OutboundMessage::text("Your SENHA is 1234")).as_deref(),
            Some("content policy: sensitive word \"senha\"")
        );
        assert_eq!(objection(&f, &OutboundMessage::text("all fine")), None);
        assert_eq!(objection(&[], &OutboundMessage::text("senha")), None);
    }
}
