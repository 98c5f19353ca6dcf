//! The raw JSON of one event, sharing the webhook body instead of copying it.

use std::ops::Range;

use bytes::Bytes;

use serde::Serialize;
use serde_json::value::RawValue;

/// One JSON object exactly as received (every field, modelled or not). Cheap
/// to clone: all events of a body share the body.
#[derive(Clone)]
pub struct RawJson {
    // Always valid UTF-8: checked before any event of the body is made, and
    // every span starts and ends at JSON punctuation (ASCII).
    body: Bytes,
    span: Range<usize>,
}

impl RawJson {
    /// Keep a whole JSON text (the caller has checked it is JSON).
    pub fn from_string(json: String) -> Self {
        let len = json.len();
        Self::spanned(Bytes::from(json), 0..len)
    }

    /// A part of `body` whose span is known.
    pub(crate) fn spanned(body: Bytes, span: Range<usize>) -> Self {
        RawJson { body, span }
    }

    /// The span of `part` inside `body`, when `part` borrows from it.
    pub(crate) fn span_of(body: &str, part: &RawValue) -> Range<usize> {
        let start = part.get().as_ptr() as usize - body.as_ptr() as usize;
        start..start + part.get().len()
    }

    fn text(&self) -> &str {
        // SAFETY: see the field: the body was checked as UTF-8 when it was
        // parsed (or came from a String).
        unsafe { std::str::from_utf8_unchecked(&self.body) }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        // Spans come from parsing this text: they start and end at JSON
        // punctuation, so on char boundaries.
        &self.text()[self.span.clone()]
    }

    /// As a `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.get()).unwrap_or(serde_json::Value::Null)
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl std::fmt::Display for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The text was parsed as JSON when the event was made; re-borrowing
        // it as a RawValue writes it through unchanged.
        match serde_json::from_str::<&RawValue>(self.get()) {
            Ok(raw) => raw.serialize(s),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}
