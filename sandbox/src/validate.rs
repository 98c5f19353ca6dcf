//! Checks a `POST /{phone-number-id}/messages` body as Meta documents it,
//! independently of any client library.

use serde_json::Value;

/// A Graph error to answer with.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub http: u16,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    pub details: String,
}

impl Failure {
    pub fn new(
        http: u16,
        code: i64,
        message: impl Into<String>,
        details: impl Into<String>,
    ) -> Self {
        Failure {
            http,
            code,
            subcode: None,
            message: message.into(),
            details: details.into(),
        }
    }

    pub fn invalid(details: impl Into<String>) -> Self {
        Failure::new(400, 131009, "Parameter value is not valid", details)
    }

    pub fn missing(details: impl Into<String>) -> Self {
        Failure::new(400, 131008, "Required parameter is missing", details)
    }

    pub fn envelope(&self, trace: &str) -> Value {
        let mut e = serde_json::json!({
            "message": format!("(#{}) {}", self.code, self.message),
            "type": "OAuthException",
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": trace,
        });
        if let Some(s) = self.subcode {
            e["error_subcode"] = serde_json::json!(s);
        }
        serde_json::json!({ "error": e })
    }
}

/// Where the message goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Recip {
    /// `to`: digits of a phone number / wa_id, and the raw input.
    Phone { input: String, digits: String },
    /// `recipient`: a BSUID.
    Bsuid(String),
}

/// A checked request.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    Send {
        recipient: Recip,
        msg_type: String,
        template: Option<TemplateUse>,
    },
    MarkRead {
        message_id: String,
    },
}

/// Template name, language and the parameters given per component.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateUse {
    pub name: String,
    pub language: String,
    pub body_params: usize,
    pub header_params: usize,
    pub named: Vec<String>,
}

fn str_field<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a str, Failure> {
    match v.get(key) {
        None | Some(Value::Null) => Err(Failure::missing(format!("{path}.{key} is required"))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Failure::invalid(format!("{path}.{key} must be a string"))),
    }
}

fn len_check(s: &str, path: &str, max: usize) -> Result<(), Failure> {
    let n = s.chars().count();
    if n == 0 {
        return Err(Failure::invalid(format!("{path} must not be empty")));
    }
    if n > max {
        return Err(Failure::new(
            400,
            100,
            "Invalid parameter",
            format!("{path} is {n} characters, the maximum is {max}"),
        ));
    }
    Ok(())
}

fn media_check(v: &Value, path: &str, allow_caption: bool) -> Result<(), Failure> {
    let obj = v
        .as_object()
        .ok_or_else(|| Failure::missing(format!("{path} object is required")))?;
    let has_id = obj
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    let link = obj.get("link").and_then(Value::as_str);
    match (has_id, link) {
        (true, None) => {}
        (false, Some(l)) => {
            if !(l.starts_with("https://") || l.starts_with("http://")) {
                return Err(Failure::invalid(format!(
                    "{path}.link must be an http(s) URL"
                )));
            }
        }
        (true, Some(_)) => {
            return Err(Failure::invalid(format!(
                "{path}: give id or link, not both"
            )));
        }
        (false, None) => {
            return Err(Failure::missing(format!(
                "{path}.id or {path}.link is required"
            )));
        }
    }
    if let Some(c) = obj.get("caption") {
        if !allow_caption {
            return Err(Failure::invalid(format!("{path}.caption is not allowed")));
        }
        len_check(c.as_str().unwrap_or(""), &format!("{path}.caption"), 1024)?;
    }
    Ok(())
}

/// Digits of a `to` value as people type it: `+`, spaces, dashes, dots, brackets allowed.
pub fn digits_of(to: &str) -> Option<String> {
    let mut out = String::with_capacity(to.len());
    for c in to.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' | ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    if (7..=15).contains(&out.len()) {
        Some(out)
    } else {
        None
    }
}

pub fn check(body: &Value) -> Result<Checked, Failure> {
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Err(Failure::new(
            400,
            100,
            "Invalid parameter",
            "messaging_product must be \"whatsapp\"",
        ));
    }
    if body.get("status").and_then(Value::as_str) == Some("read") {
        let id = str_field(body, "message_id", "body")?;
        if let Some(t) = body.get("typing_indicator")
            && t.get("type").and_then(Value::as_str) != Some("text")
        {
            return Err(Failure::invalid("typing_indicator.type must be \"text\""));
        }
        return Ok(Checked::MarkRead {
            message_id: id.to_string(),
        });
    }
    if let Some(rt) = body.get("recipient_type")
        && rt.as_str() != Some("individual")
    {
        return Err(Failure::invalid("recipient_type must be \"individual\""));
    }
    let recipient = match (
        body.get("to").and_then(Value::as_str),
        body.get("recipient").and_then(Value::as_str),
    ) {
        (Some(to), _) => {
            let digits = digits_of(to).ok_or_else(|| {
                Failure::new(
                    400,
                    100,
                    "Invalid parameter",
                    format!("to {to:?} is not a phone number"),
                )
            })?;
            Recip::Phone {
                input: to.to_string(),
                digits,
            }
        }
        (None, Some(r)) => {
            let b = r.as_bytes();
            if !(b.len() > 3
                && b[0].is_ascii_uppercase()
                && b[1].is_ascii_uppercase()
                && b[2] == b'.')
            {
                return Err(Failure::invalid(format!(
                    "recipient {r:?} is not a business-scoped user id"
                )));
            }
            Recip::Bsuid(r.to_string())
        }
        (None, None) => return Err(Failure::missing("to or recipient is required")),
    };
    let msg_type = str_field(body, "type", "body")?.to_string();
    let payload = body.get(&msg_type).ok_or_else(|| {
        Failure::missing(format!("{msg_type} object is required for type {msg_type}"))
    })?;
    if let Some(cb) = body.get("biz_opaque_callback_data") {
        len_check(cb.as_str().unwrap_or(""), "biz_opaque_callback_data", 512)?;
    }
    if let Some(ctx) = body.get("context") {
        str_field(ctx, "message_id", "context")?;
    }
    let mut template = None;
    match msg_type.as_str() {
        "text" => {
            len_check(str_field(payload, "body", "text")?, "text.body", 4096)?;
            if let Some(p) = payload.get("preview_url")
                && !p.is_boolean()
            {
                return Err(Failure::invalid("text.preview_url must be a boolean"));
            }
        }
        "image" | "video" | "document" => media_check(payload, &msg_type, true)?,
        "audio" | "sticker" => media_check(payload, &msg_type, false)?,
        "location" => {
            let lat = payload.get("latitude").and_then(Value::as_f64);
            let lon = payload.get("longitude").and_then(Value::as_f64);
            match (lat, lon) {
                (Some(a), Some(o))
                    if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => {}
                (Some(_), Some(_)) => {
                    return Err(Failure::invalid("location coordinates out of range"));
                }
                _ => {
                    return Err(Failure::missing(
                        "location.latitude and location.longitude are required",
                    ));
                }
            }
        }
        "contacts" => {
            let arr = payload
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| Failure::missing("contacts must be a non-empty array"))?;
            for (i, c) in arr.iter().enumerate() {
                let name = c
                    .get("name")
                    .ok_or_else(|| Failure::missing(format!("contacts[{i}].name is required")))?;
                str_field(name, "formatted_name", &format!("contacts[{i}].name"))?;
            }
        }
        "reaction" => {
            str_field(payload, "message_id", "reaction")?;
            if payload.get("emoji").and_then(Value::as_str).is_none() {
                return Err(Failure::missing(
                    "reaction.emoji is required (empty removes)",
                ));
            }
        }
        "interactive" => check_interactive(payload)?,
        "template" => template = Some(check_template(payload)?),
        other => {
            return Err(Failure::new(
                400,
                100,
                "Invalid parameter",
                format!("type {other:?} is not supported"),
            ));
        }
    }
    Ok(Checked::Send {
        recipient,
        msg_type,
        template,
    })
}

fn check_interactive(p: &Value) -> Result<(), Failure> {
    let kind = str_field(p, "type", "interactive")?;
    let body = p
        .get("body")
        .ok_or_else(|| Failure::missing("interactive.body is required"))?;
    len_check(
        str_field(body, "text", "interactive.body")?,
        "interactive.body.text",
        1024,
    )?;
    if let Some(f) = p.get("footer") {
        len_check(
            str_field(f, "text", "interactive.footer")?,
            "interactive.footer.text",
            60,
        )?;
    }
    if let Some(h) = p.get("header") {
        let ht = str_field(h, "type", "interactive.header")?;
        if ht == "text" {
            len_check(
                str_field(h, "text", "interactive.header")?,
                "interactive.header.text",
                60,
            )?;
        } else if kind != "button" {
            return Err(Failure::invalid(format!(
                "interactive {kind} accepts only a text header"
            )));
        }
    }
    let action = p
        .get("action")
        .ok_or_else(|| Failure::missing("interactive.action is required"))?;
    match kind {
        "button" => {
            let buttons = action
                .get("buttons")
                .and_then(Value::as_array)
                .ok_or_else(|| Failure::missing("interactive.action.buttons is required"))?;
            if buttons.is_empty() || buttons.len() > 3 {
                return Err(Failure::invalid(format!(
                    "{} buttons, 1 to 3 allowed",
                    buttons.len()
                )));
            }
            for (i, b) in buttons.iter().enumerate() {
                let r = b
                    .get("reply")
                    .ok_or_else(|| Failure::missing(format!("buttons[{i}].reply is required")))?;
                len_check(
                    str_field(r, "id", "reply")?,
                    &format!("buttons[{i}].reply.id"),
                    256,
                )?;
                len_check(
                    str_field(r, "title", "reply")?,
                    &format!("buttons[{i}].reply.title"),
                    20,
                )?;
            }
        }
        "list" => {
            len_check(
                str_field(action, "button", "interactive.action")?,
                "interactive.action.button",
                20,
            )?;
            let sections = action
                .get("sections")
                .and_then(Value::as_array)
                .ok_or_else(|| Failure::missing("interactive.action.sections is required"))?;
            if sections.is_empty() || sections.len() > 10 {
                return Err(Failure::invalid("1 to 10 sections allowed"));
            }
            let mut rows = 0;
            for (s, sec) in sections.iter().enumerate() {
                if sections.len() > 1 {
                    len_check(
                        str_field(sec, "title", "section")?,
                        &format!("sections[{s}].title"),
                        24,
                    )?;
                }
                let rs = sec
                    .get("rows")
                    .and_then(Value::as_array)
                    .ok_or_else(|| Failure::missing(format!("sections[{s}].rows is required")))?;
                for (r, row) in rs.iter().enumerate() {
                    len_check(
                        str_field(row, "id", "row")?,
                        &format!("sections[{s}].rows[{r}].id"),
                        200,
                    )?;
                    len_check(
                        str_field(row, "title", "row")?,
                        &format!("sections[{s}].rows[{r}].title"),
                        24,
                    )?;
                    if let Some(d) = row.get("description") {
                        len_check(
                            d.as_str().unwrap_or(""),
                            &format!("sections[{s}].rows[{r}].description"),
                            72,
                        )?;
                    }
                    rows += 1;
                }
            }
            if rows == 0 || rows > 10 {
                return Err(Failure::invalid(format!("{rows} rows, 1 to 10 allowed")));
            }
        }
        "cta_url" => {
            let params = action
                .get("parameters")
                .ok_or_else(|| Failure::missing("interactive.action.parameters is required"))?;
            len_check(
                str_field(params, "display_text", "parameters")?,
                "parameters.display_text",
                20,
            )?;
            let url = str_field(params, "url", "parameters")?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(Failure::invalid("parameters.url must be an http(s) URL"));
            }
        }
        "flow" => {
            let params = action
                .get("parameters")
                .ok_or_else(|| Failure::missing("interactive.action.parameters is required"))?;
            if params.get("flow_message_version").and_then(Value::as_str) != Some("3") {
                return Err(Failure::invalid("flow_message_version must be \"3\""));
            }
            len_check(
                str_field(params, "flow_cta", "parameters")?,
                "parameters.flow_cta",
                30,
            )?;
            let has_id = params.get("flow_id").is_some();
            let has_name = params.get("flow_name").is_some();
            if has_id == has_name {
                return Err(Failure::invalid("exactly one of flow_id and flow_name"));
            }
        }
        other => {
            return Err(Failure::invalid(format!(
                "interactive type {other:?} is not supported here"
            )));
        }
    }
    Ok(())
}

fn check_template(p: &Value) -> Result<TemplateUse, Failure> {
    let name = str_field(p, "name", "template")?.to_string();
    let lang = p
        .get("language")
        .ok_or_else(|| Failure::missing("template.language is required"))?;
    let language = str_field(lang, "code", "template.language")?.to_string();
    let mut used = TemplateUse {
        name,
        language,
        body_params: 0,
        header_params: 0,
        named: Vec::new(),
    };
    if let Some(components) = p.get("components") {
        let arr = components
            .as_array()
            .ok_or_else(|| Failure::invalid("template.components must be an array"))?;
        for (i, c) in arr.iter().enumerate() {
            let ctype = str_field(c, "type", &format!("components[{i}]"))?;
            let params = c
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (j, prm) in params.iter().enumerate() {
                let ptype = str_field(prm, "type", &format!("components[{i}].parameters[{j}]"))?;
                let ok = match ptype {
                    "text" => prm.get("text").and_then(Value::as_str).is_some(),
                    "currency" => prm.get("currency").is_some_and(|x| {
                        x.get("fallback_value").is_some()
                            && x.get("code").is_some()
                            && x.get("amount_1000").is_some()
                    }),
                    "date_time" => prm
                        .get("date_time")
                        .is_some_and(|x| x.get("fallback_value").is_some()),
                    "image" | "video" | "document" => prm
                        .get(ptype)
                        .is_some_and(|m| m.get("id").is_some() || m.get("link").is_some()),
                    "payload" => prm.get("payload").and_then(Value::as_str).is_some(),
                    "action" => prm.get("action").is_some(),
                    _ => false,
                };
                if !ok {
                    return Err(Failure::new(
                        400,
                        132012,
                        "Parameter format does not match format in the created template",
                        format!("components[{i}].parameters[{j}] of type {ptype:?} is malformed"),
                    ));
                }
                if let Some(n) = prm.get("parameter_name").and_then(Value::as_str) {
                    used.named.push(n.to_string());
                }
            }
            match ctype {
                "body" => used.body_params += params.len(),
                "header" => used.header_params += params.len(),
                "button" => {
                    str_field(c, "sub_type", &format!("components[{i}]"))?;
                    str_field(c, "index", &format!("components[{i}]"))?;
                }
                other => {
                    return Err(Failure::invalid(format!(
                        "component type {other:?} is not valid"
                    )));
                }
            }
        }
    }
    Ok(used)
}

/// Placeholders `{{1}}` / `{{name}}` in a template text.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim().to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_text_and_recipient() {
        let ok = json!({"messaging_product":"whatsapp","to":"+1 (650) 555-1234","type":"text","text":{"body":"hi"}});
        assert!(matches!(check(&ok), Ok(Checked::Send { .. })));
        let long =
            json!({"messaging_product":"whatsapp","to":"1650","type":"text","text":{"body":"hi"}});
        assert_eq!(check(&long).unwrap_err().code, 100);
        let empty = json!({"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":""}});
        assert_eq!(check(&empty).unwrap_err().code, 131009);
        let missing = json!({"messaging_product":"whatsapp","to":"16505551234","type":"text"});
        assert_eq!(check(&missing).unwrap_err().code, 131008);
    }

    #[test]
    fn placeholders_unique_in_order() {
        assert_eq!(placeholders("Hi {{1}}, code {{2}} {{1}}"), vec!["1", "2"]);
        assert_eq!(placeholders("Hi {{first_name}}"), vec!["first_name"]);
        assert!(placeholders("no vars").is_empty());
    }
}
