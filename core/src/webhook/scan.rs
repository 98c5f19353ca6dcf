//! The JSON reader under the pull pass: a strict, allocation-free pull reader
//! over a body already checked as UTF-8. It accepts only what `serde_json`
//! accepts and gives up on anything it is unsure of (escaped keys, deep
//! nesting, a malformed token); giving up is always safe, because the layered
//! path then reads the body with `serde_json` itself. Strings are scanned
//! sixteen bytes at a time for the three bytes that matter (`"`, `\`, a
//! control byte); a string with escapes is decoded by `serde_json`, so
//! escapes mean exactly what they mean on the layered path.

use std::borrow::Cow;

use super::verify::Tag;

/// The reader gave up; the layered path decides.
pub(super) struct GiveUp;

pub(super) type R<T> = Result<T, GiveUp>;

/// What the next value is, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Peek {
    Null,
    True,
    False,
    String,
    Number,
    Array,
    Object,
}

/// Deeper values are left to `serde_json`, whose own limit is 128 levels
/// (the pull pass itself is at most ten deep when it skips a value).
const MAX_SKIP_DEPTH: u32 = 64;

pub(super) struct Reader<'a> {
    text: &'a str,
    at: usize,
    /// The body's signature, hashed one block per key read: SHA-256 waits on
    /// its own results, and the parser's work fills the gaps.
    tag: Option<Tag>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Reader {
            text,
            at: 0,
            tag: None,
        }
    }

    /// A reader that hashes `text` into `tag` as it goes.
    pub(super) fn hashing(text: &'a str, tag: Tag) -> Self {
        Reader {
            text,
            at: 0,
            tag: Some(tag),
        }
    }

    /// The signature hashed so far (the rest is hashed when it is finished).
    pub(super) fn into_tag(self) -> Option<Tag> {
        self.tag
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn byte(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Where the reader is: after `peek`, the first byte of the next value;
    /// after a value, the byte after it.
    pub(super) fn current_index(&self) -> usize {
        self.at
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.byte() {
            self.at += 1;
        }
    }

    /// Skip whitespace, then expect `c`.
    fn eat(&mut self, c: u8) -> R<()> {
        self.ws();
        if self.byte() != Some(c) {
            return Err(GiveUp);
        }
        self.at += 1;
        Ok(())
    }

    pub(super) fn peek(&mut self) -> R<Peek> {
        self.ws();
        Ok(match self.byte() {
            Some(b'"') => Peek::String,
            Some(b'{') => Peek::Object,
            Some(b'[') => Peek::Array,
            Some(b'n') => Peek::Null,
            Some(b't') => Peek::True,
            Some(b'f') => Peek::False,
            Some(b'-' | b'0'..=b'9') => Peek::Number,
            _ => return Err(GiveUp),
        })
    }

    /// At an opening quote: move past the closing one and return the span of
    /// the content and whether it has escapes (not yet checked).
    fn raw_string(&mut self) -> R<(usize, usize, bool)> {
        let bytes = self.bytes();
        let start = self.at + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i = find_special(bytes, i).ok_or(GiveUp)?;
            match bytes[i] {
                b'"' => {
                    self.at = i + 1;
                    return Ok((start, i, escaped));
                }
                // The escaped byte cannot end the string; what the escape
                // means is decided by serde_json below.
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                // A raw control byte: not JSON.
                _ => return Err(GiveUp),
            }
        }
    }

    /// The string at the reader, decoded (`serde_json` decodes escapes).
    pub(super) fn known_str(&mut self) -> R<Cow<'a, str>> {
        let quote = self.at;
        let (start, end, escaped) = self.raw_string()?;
        if !escaped {
            return Ok(Cow::Borrowed(&self.text[start..end]));
        }
        serde_json::from_str::<String>(&self.text[quote..=end])
            .map(Cow::Owned)
            .map_err(|_| GiveUp)
    }

    pub(super) fn next_str(&mut self) -> R<Cow<'a, str>> {
        match self.peek()? {
            Peek::String => self.known_str(),
            _ => Err(GiveUp),
        }
    }

    /// An object key and its colon. Escaped keys may spell a known key in
    /// another way: the layered path reads those.
    fn key(&mut self) -> R<&'a [u8]> {
        if let Some(tag) = &mut self.tag {
            tag.feed_block(self.text.as_bytes());
        }
        self.ws();
        if self.byte() != Some(b'"') {
            return Err(GiveUp);
        }
        let (start, end, escaped) = self.raw_string()?;
        if escaped {
            return Err(GiveUp);
        }
        self.eat(b':')?;
        Ok(&self.bytes()[start..end])
    }

    /// Open a container: whether it has a first member or element.
    fn open(&mut self, open: u8, close: u8) -> R<bool> {
        self.eat(open)?;
        self.ws();
        if self.byte() == Some(close) {
            self.at += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member or element: whether another one follows.
    fn step(&mut self, close: u8) -> R<bool> {
        self.ws();
        match self.byte() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(GiveUp),
        }
    }

    /// Open an object: its first key, or `None` when it is empty.
    pub(super) fn next_object_bytes(&mut self) -> R<Option<&'a [u8]>> {
        match self.open(b'{', b'}')? {
            true => self.key().map(Some),
            false => Ok(None),
        }
    }

    /// After a member's value: the next key, or `None` at the object's end.
    pub(super) fn next_key_bytes(&mut self) -> R<Option<&'a [u8]>> {
        match self.step(b'}')? {
            true => self.key().map(Some),
            false => Ok(None),
        }
    }

    /// Open an array: what its first element is, or `None` when it is empty.
    pub(super) fn next_array(&mut self) -> R<Option<Peek>> {
        match self.open(b'[', b']')? {
            true => self.peek().map(Some),
            false => Ok(None),
        }
    }

    /// After an element: what the next one is, or `None` at the array's end.
    pub(super) fn array_step(&mut self) -> R<Option<Peek>> {
        match self.step(b']')? {
            true => self.peek().map(Some),
            false => Ok(None),
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if !self.bytes()[self.at..].starts_with(word) {
            return Err(GiveUp);
        }
        self.at += word.len();
        Ok(())
    }

    pub(super) fn known_null(&mut self) -> R<()> {
        self.literal(b"null")
    }

    pub(super) fn next_bool(&mut self) -> R<bool> {
        match self.peek()? {
            Peek::True => self.literal(b"true").map(|()| true),
            Peek::False => self.literal(b"false").map(|()| false),
            _ => Err(GiveUp),
        }
    }

    /// A number, checked against JSON's grammar (its value is not needed).
    fn number(&mut self) -> R<()> {
        let bytes = self.bytes();
        let mut i = self.at;
        let digits = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        i = match bytes.get(i) {
            Some(b'0') => i + 1,
            Some(b'1'..=b'9') => digits(i + 1),
            _ => return Err(GiveUp),
        };
        if bytes.get(i) == Some(&b'.') {
            let end = digits(i + 1);
            if end == i + 1 {
                return Err(GiveUp);
            }
            i = end;
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                return Err(GiveUp);
            }
            i = end;
        }
        self.at = i;
        Ok(())
    }

    pub(super) fn next_skip(&mut self) -> R<()> {
        let peek = self.peek()?;
        self.known_skip(peek)
    }

    /// Pass over the value `peek` announced, checking it is JSON.
    pub(super) fn known_skip(&mut self, peek: Peek) -> R<()> {
        match peek {
            Peek::String => self.known_str().map(drop),
            Peek::Number => self.number(),
            Peek::Null => self.literal(b"null"),
            Peek::True => self.literal(b"true"),
            Peek::False => self.literal(b"false"),
            Peek::Array | Peek::Object => self.skip_nested(),
        }
    }

    /// Pass over an array or object without recursion: one bit per open
    /// level says whether it is an object (members need keys).
    fn skip_nested(&mut self) -> R<()> {
        let mut objects: u64 = 0;
        let mut depth = 0u32;
        loop {
            // At the first byte of a value.
            let opened = match self.byte() {
                Some(c @ (b'{' | b'[')) => {
                    depth += 1;
                    if depth > MAX_SKIP_DEPTH {
                        return Err(GiveUp);
                    }
                    let object = c == b'{';
                    objects = objects << 1 | u64::from(object);
                    self.at += 1;
                    self.ws();
                    let close = if object { b'}' } else { b']' };
                    if self.byte() == Some(close) {
                        self.at += 1;
                        depth -= 1;
                        objects >>= 1;
                        false
                    } else {
                        if object {
                            self.key()?;
                        }
                        true
                    }
                }
                _ => {
                    let peek = self.peek()?;
                    self.known_skip(peek)?;
                    false
                }
            };
            if opened {
                self.ws();
                continue;
            }
            // After a value: close levels until one has another element.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                self.ws();
                let object = objects & 1 == 1;
                match (self.byte(), object) {
                    (Some(b','), _) => {
                        self.at += 1;
                        if object {
                            self.key()?;
                        }
                        self.ws();
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        self.at += 1;
                        depth -= 1;
                        objects >>= 1;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
    }

    /// Only whitespace may follow the body's value.
    pub(super) fn finish(&mut self) -> R<()> {
        self.ws();
        match self.at == self.text.len() {
            true => Ok(()),
            false => Err(GiveUp),
        }
    }
}

/// The first `"`, `\` or control byte at or after `i`.
fn find_special(bytes: &[u8], i: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        find_special_sse2(bytes, i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        find_special_swar(bytes, i)
    }
}

fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

fn find_special_scalar(bytes: &[u8], i: usize) -> Option<usize> {
    let tail = bytes.get(i..)?;
    tail.iter().position(|&c| is_special(c)).map(|k| i + k)
}

#[cfg(target_arch = "x86_64")]
fn find_special_sse2(bytes: &[u8], mut i: usize) -> Option<usize> {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline, and every load reads 16
    // bytes that lie inside `bytes` (`i + 16 <= len`).
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let below = _mm_set1_epi8(0x1f);
        while i + 16 <= bytes.len() {
            let x = _mm_loadu_si128(bytes.as_ptr().add(i).cast());
            // max(x, 0x1f) == 0x1f exactly when x <= 0x1f (unsigned).
            let control = _mm_cmpeq_epi8(_mm_max_epu8(x, below), below);
            let hit = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                control,
            );
            let mask = _mm_movemask_epi8(hit) as u32;
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    find_special_scalar(bytes, i)
}

/// Eight bytes at a time in a `u64` (for targets without the SSE2 path).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn find_special_swar(bytes: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte of `x` below `n` (n <= 128); a false hit can
    // only follow a true one, so the lowest hit is exact.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    while i + 8 <= bytes.len() {
        let chunk: [u8; 8] = bytes[i..i + 8].try_into().ok()?;
        let x = u64::from_le_bytes(chunk);
        let hit = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    find_special_scalar(bytes, i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn special_byte_search_agrees_with_a_plain_loop(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff, Just(b'a')],
                0..80,
            ),
            from in 0usize..90,
        ) {
            let plain = find_special_scalar(&bytes, from);
            prop_assert_eq!(find_special(&bytes, from), plain);
            prop_assert_eq!(find_special_swar(&bytes, from), plain);
        }
    }

    fn end_after(text: &str) -> Option<usize> {
        let mut r = Reader::new(text);
        r.next_skip().ok()?;
        Some(r.current_index())
    }

    #[test]
    fn passing_over_accepts_json_and_stops_after_the_value() {
        for (text, end) in [
            ("{}", 2),
            ("[ ]", 3),
            ("{\"a\":[1,-2.5e+3,{\"b\":null}],\"c\":\"\\u00e9\"} x", 41),
            ("-0.0E-0,", 7),
            ("\"a\\\"b\"", 6),
            ("[[[]],[{}]]", 11),
        ] {
            assert_eq!(end_after(text), Some(end), "{text}");
        }
    }

    #[test]
    fn passing_over_refuses_what_serde_json_refuses() {
        for text in [
            "01",
            "-",
            "1.",
            "1e",
            ".5",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "[1 2]",
            "\"\\x\"",
            "\"a\u{1}\"",
            "nul",
            "tru",
            "[",
            "{\"a\":",
            "\"abc",
            "\"\\ud800\"",
        ] {
            let mut r = Reader::new(text);
            assert!(r.next_skip().and_then(|()| r.finish()).is_err(), "{text}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_err()
                    || serde_json::from_str::<String>(text).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_values_are_left_to_serde_json() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert_eq!(end_after(&deep), None);
        let fine = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert_eq!(end_after(&fine), Some(128));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut r = Reader::new("\"plain\"");
        assert!(matches!(r.known_str(), Ok(Cow::Borrowed("plain"))));
        let mut r = Reader::new("\"caf\\u00e9 \\ud83d\\ude00\"");
        assert!(matches!(r.known_str(), Ok(Cow::Owned(s)) if s == "café 😀"));
    }
}
