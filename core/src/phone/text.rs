//! Reading a typed phone number the way libphonenumber's `parse` does before
//! it looks at any metadata: decimal digits of every script, full-width
//! forms, RFC 3966 `tel:` URIs (`phone-context`, `isub`, `ext`), extensions
//! in the forms libphonenumber knows, and vanity letters (`1-800-FLOWERS`).
//!
//! One deliberate difference: words after the number that are not vanity
//! letters ("call +44 7911 123456 please") are dropped, where libphonenumber
//! would dial them as letters and return a different, invalid number.

use std::borrow::Cow;

use super::PhoneError;

/// The zero of every run of Unicode `Nd` (decimal digit) characters, sorted:
/// each run holds the ten digits 0–9 in order (Unicode 15).
const ND_ZEROS: [u32; 68] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
    0x1FBF0,
];

/// The value of a decimal digit of any script (`char::to_digit` reads ASCII only).
pub(crate) fn decimal_digit(c: char) -> Option<u8> {
    let c = c as u32;
    if c < 0x80 {
        return (c.wrapping_sub(0x30) < 10).then(|| (c - 0x30) as u8);
    }
    let at = ND_ZEROS.partition_point(|z| *z <= c).checked_sub(1)?;
    let off = c - ND_ZEROS[at];
    (off < 10).then_some(off as u8)
}

/// One character folded to what the parser reads: digits of any script to
/// ASCII, full-width forms to their ASCII twins, dashes and spaces of other
/// kinds to `-` and ` `. Everything else is kept (labels such as `доб`).
fn fold_char(c: char) -> char {
    if let Some(d) = decimal_digit(c) {
        return char::from(b'0' + d);
    }
    match c {
        // Full-width ASCII block (＋ （ ｅｘｔ ...).
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' => '-',
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' => ' ',
        '\u{2060}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}' => ' ',
        _ => c,
    }
}

/// `input` with every character folded (borrowed when it is plain ASCII).
pub(crate) fn fold(input: &str) -> Cow<'_, str> {
    if input.is_ascii() {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(input.chars().map(fold_char).collect())
    }
}

/// Digits held on the stack: a phone number has at most 17 after its
/// country code, so more than this is refused as too long anyway.
pub(crate) struct Digits {
    buf: [u8; 24],
    len: usize,
    /// More digits were typed than `buf` holds.
    pub overflow: bool,
}

impl Digits {
    fn push(&mut self, d: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = d;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// A typed number reduced to what the country-code logic needs.
pub(crate) struct Typed {
    /// Whether a `+` (or a `phone-context=+...`) came first.
    pub plus: bool,
    /// ASCII digits only, vanity letters already dialled.
    pub digits: Digits,
    /// The extension, ASCII digits.
    pub extension: Option<String>,
}

/// Which rarely-seen characters a text holds, found in one pass so the
/// common plain number skips every search for them.
#[derive(Clone, Copy)]
struct Seen {
    semicolon: bool,
    slash: bool,
    /// Letters, `#`, `,`, `;`, `~` or non-ASCII: an extension may be there.
    marker: bool,
}

fn scan(s: &str) -> Seen {
    let mut seen = Seen {
        semicolon: false,
        slash: false,
        marker: false,
    };
    for b in s.bytes() {
        match b {
            b'0'..=b'9' | b' ' | b'-' | b'+' | b'(' | b')' | b'.' => {}
            b';' => {
                seen.semicolon = true;
                seen.marker = true;
            }
            b'/' | b'\\' => seen.slash = true,
            b'#' | b',' | b'~' => seen.marker = true,
            _ => seen.marker |= b.is_ascii_alphabetic() || b >= 0x80,
        }
    }
    seen
}

/// Read `input` (not empty) into digits, `+` and extension, or say why not.
pub(crate) fn read(input: &str) -> Result<Typed, PhoneError> {
    let folded = fold(input);
    let no_number = || PhoneError::NoNumber(input.to_string());
    let seen = scan(&folded);
    // RFC 3966 parameters all start with ';': most input has none.
    let params = seen.semicolon;
    let context = if params {
        folded.find(";phone-context=")
    } else {
        None
    };
    let candidate: Cow<'_, str> = match context {
        Some(at) => Cow::Owned(from_tel_uri(&folded, at).ok_or_else(no_number)?),
        None => Cow::Borrowed(possible_number(&folded, seen.slash)),
    };
    // An ISDN subaddress is not part of the number (RFC 3966 §5.3).
    let candidate = match params.then(|| candidate.find(";isub=")).flatten() {
        Some(at) if at > 0 => &candidate[..at],
        _ => &candidate[..],
    };
    if !viable(candidate) {
        return Err(no_number());
    }
    let (body, extension) = if seen.marker {
        split_extension(candidate)
    } else {
        (candidate, None)
    };
    let body = body.trim_start();
    let plus = body.starts_with('+');
    Ok(Typed {
        plus,
        digits: dial(body, seen.marker),
        extension,
    })
}

/// RFC 3966: `tel:03-331-6005;phone-context=+64` is `+64` then the number;
/// a domain context (`;phone-context=example.com`) adds nothing. An empty or
/// malformed context is refused, as libphonenumber does.
fn from_tel_uri(s: &str, at: usize) -> Option<String> {
    let start = at + ";phone-context=".len();
    let rest = &s[start..];
    let context = rest.split(';').next().unwrap_or("");
    if !(global_number_digits(context) || domain_name(context)) {
        return None;
    }
    let mut out = String::new();
    if context.starts_with('+') {
        out.push_str(context);
    }
    let from = s.find("tel:").map(|i| i + 4).unwrap_or(0);
    if from <= at {
        out.push_str(&s[from..at]);
    }
    Some(out)
}

/// `+` then digits with optional `-.()` between them (RFC 3966 global-number-digits).
fn global_number_digits(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('+') else {
        return false;
    };
    rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'(' | b')'))
}

/// A domain name (RFC 3966 domainname): labels of letters, digits and inner
/// hyphens, the last one starting with a letter, an optional final dot.
fn domain_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.ends_with('-')
            && !l.starts_with('-')
    };
    labels.iter().all(|l| label_ok(l))
        && labels
            .last()
            .is_some_and(|l| l.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()))
}

/// libphonenumber's extractPossibleNumber: from the first `+` or digit to the
/// last digit, keeping a final `#` (an extension's end) and vanity letters,
/// and cutting a second number introduced by `/ x` or `\ x`.
fn possible_number(s: &str, slash: bool) -> &str {
    let Some(start) = s.find(|c: char| c == '+' || c.is_ascii_digit()) else {
        return "";
    };
    let s = &s[start..];
    let Some(last_digit) = s.rfind(|c: char| c.is_ascii_digit()) else {
        return s.trim_end_matches(|c: char| !c.is_alphanumeric());
    };
    let mut end = last_digit + 1;
    let tail = &s[end..];
    let tail_trimmed = tail.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '#');
    if tail_trimmed.trim_end().ends_with('#') && tail_trimmed.trim().len() == 1 {
        // "... 503#": the American way to end an extension.
        end += tail_trimmed.len();
    } else if vanity_tail(tail_trimmed) {
        end += tail_trimmed.len();
    }
    let s = &s[..end];
    match slash.then(|| second_number_start(s)).flatten() {
        Some(cut) => &s[..cut],
        None => s,
    }
}

/// Letters after the last digit are the number's own (`1800 SIX FLAGS`,
/// `1-800-Flowers`) when they are capitals or hyphen-joined to the digits;
/// lower-case words after a space are text around the number.
fn vanity_tail(tail: &str) -> bool {
    if tail.is_empty() || !tail.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let shape_ok = tail
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'-' | b'.'));
    shape_ok
        && (tail.starts_with('-')
            || tail.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            || !tail.bytes().any(|b| b.is_ascii_lowercase()))
}

/// Where `[\/] *x` starts a second number (libphonenumber's SECOND_NUMBER_START).
fn second_number_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| {
        matches!(b[i], b'/' | b'\\') && {
            let mut j = i + 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            j < b.len() && b[j] == b'x'
        }
    })
}

/// libphonenumber's isViablePhoneNumber: two digits alone, or `+`s then at
/// least three digits with only punctuation between them, then digits,
/// punctuation, letters or an extension.
fn viable(s: &str) -> bool {
    let s = s.trim();
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return false;
    }
    if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let body = s.trim_start_matches('+');
    let mut digits = 0;
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits == 3 {
                return true;
            }
        } else if !punctuation(c) {
            return false;
        }
    }
    false
}

/// libphonenumber's VALID_PUNCTUATION plus `*`.
fn punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | 'x' | ' ' | '(' | ')' | '[' | ']' | '.' | '/' | '~' | '*' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{30FC}'
    )
}

/// libphonenumber's extension patterns for parsing (EXTN_PATTERNS_FOR_PARSING),
/// anchored at the end, over folded text (full-width labels already ASCII).
const EXTENSION: &str = concat!(
    r"(?i)(?:",
    // RFC 3966.
    r";ext=(\d{1,20})",
    // Explicit labels: ext, extn, extension, extensión, anexo, доб.
    r"|[ \t,]*(?:e?xt(?:ensi(?:o\x{0301}?|\x{00F3}))?n?|доб|anexo)[:.]?[ \t,-]*(\d{1,20})#?",
    // Ambiguous labels: x, #, ~, int.
    r"|[ \t,]*(?:[x#~]|int)[:.]?[ \t,-]*(\d{1,9})#?",
    // American style: "- 503#".
    r"|[- ]+(\d{1,6})#",
    // Auto-dialling: ",," or ";".
    r"|[ \t]*(?:,{2}|;)[:.]?[ \t,-]*(\d{1,15})#?",
    r"|[ \t]*(?:,)+[:.]?[ \t,-]*(\d{1,9})#?",
    r")$"
);

/// Split an extension off the end when what precedes it is still a number.
fn split_extension(s: &str) -> (&str, Option<String>) {
    thread_local! {
        // One compiled copy per thread: a shared Regex contends on its cache pool.
        static EXT: regex::Regex = regex::Regex::new(EXTENSION).expect("extension regex");
    }
    // Cheap pre-check: a plain number has no label, separator or marker for one.
    if !s
        .bytes()
        .any(|b| b.is_ascii_alphabetic() || matches!(b, b'#' | b',' | b';' | b'~') || b >= 0x80)
    {
        return (s, None);
    }
    EXT.with(|re| {
        let Some(c) = re.captures(s) else {
            return (s, None);
        };
        let whole = c.get(0).expect("match");
        let before = &s[..whole.start()];
        if !viable(before) {
            return (s, None);
        }
        let ext = c.iter().skip(1).flatten().next().map(|m| m.as_str());
        (before, ext.map(str::to_string))
    })
}

/// The digits of `s`; with three or more letters, the letters dialled on a
/// phone keypad as libphonenumber does (fewer letters are dropped).
fn dial(s: &str, letters_seen: bool) -> Digits {
    let letters = if letters_seen {
        s.bytes().filter(u8::is_ascii_alphabetic).count()
    } else {
        0
    };
    let mut out = Digits {
        buf: [0; 24],
        len: 0,
        overflow: false,
    };
    for b in s.bytes() {
        if b.is_ascii_digit() {
            out.push(b);
        } else if letters >= 3 && b.is_ascii_alphabetic() {
            out.push(keypad(b));
        }
    }
    out
}

/// The keypad digit of a letter.
fn keypad(b: u8) -> u8 {
    match b.to_ascii_uppercase() {
        b'A'..=b'C' => b'2',
        b'D'..=b'F' => b'3',
        b'G'..=b'I' => b'4',
        b'J'..=b'L' => b'5',
        b'M'..=b'O' => b'6',
        b'P'..=b'S' => b'7',
        b'T'..=b'V' => b'8',
        _ => b'9',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_every_script() {
        for (s, want) in [
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("०१२३४५६७८९", "0123456789"),
            ("᠐᠑᠒᠓᠔᠕᠖᠗᠘᠙", "0123456789"),
            ("০১২৩৪৫৬৭৮৯", "0123456789"),
            ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
            ("０１２３４５６７８９", "0123456789"),
            ("𝟎𝟗", "09"),
        ] {
            assert_eq!(fold(s), want, "{s}");
        }
        // Numerals that are not decimal digits are not read as digits.
        for c in ['½', '²', 'Ⅻ', '①', '十'] {
            assert_eq!(decimal_digit(c), None, "{c}");
        }
    }

    #[test]
    fn extensions_in_the_forms_libphonenumber_knows() {
        for (s, body, ext) in [
            ("(212) 123-1234 x508", "(212) 123-1234", "508"),
            ("+1 212 123 1234;ext=456", "+1 212 123 1234", "456"),
            ("03 331 6005 ext: 7246433", "03 331 6005", "7246433"),
            ("03 331 6005, extensión 7246433", "03 331 6005", "7246433"),
            ("03 331 6005 доб. 100", "03 331 6005", "100"),
            ("03 331 6005 ДОБ. 100", "03 331 6005", "100"),
            ("03 331 6005 extn 3456", "03 331 6005", "3456"),
            ("03 331 6005 #3456", "03 331 6005", "3456"),
            ("03 331 6005 ext 12#", "03 331 6005", "12"),
            ("(212) 123-1234 - 503#", "(212) 123-1234", "503"),
            ("+1 212 123 1234,,123", "+1 212 123 1234", "123"),
        ] {
            assert_eq!(split_extension(s), (body, Some(ext.to_string())), "{s}");
        }
        assert_eq!(
            split_extension("+1 650 253 0000"),
            ("+1 650 253 0000", None)
        );
    }

    #[test]
    fn tel_uris() {
        let t = read("tel:03-331-6005;phone-context=+64").unwrap();
        assert_eq!((t.plus, t.digits.as_str()), (true, "64033316005"));
        let t = read("tel:03-331-6005;isub=12345;phone-context=+64").unwrap();
        assert_eq!(t.digits.as_str(), "64033316005");
        let t = read("tel:03-331-6005;phone-context=example.com").unwrap();
        assert_eq!((t.plus, t.digits.as_str()), (false, "033316005"));
        let t = read("tel:+64-3-331-6005;ext=3456").unwrap();
        assert_eq!(
            (t.digits.as_str(), t.extension.as_deref()),
            ("6433316005", Some("3456"))
        );
        assert!(read("tel:03-331-6005;phone-context=").is_err());
        assert!(read("tel:03-331-6005;phone-context=1-331").is_err());
    }

    #[test]
    fn vanity_letters_and_words_around() {
        assert_eq!(
            read("1800 SIX FLAGS").unwrap().digits.as_str(),
            "180074935247"
        );
        assert_eq!(
            read("1-800-Flowers").unwrap().digits.as_str(),
            "18003569377"
        );
        assert_eq!(
            read("1-800-SIX-FLAG").unwrap().digits.as_str(),
            "18007493524"
        );
        assert_eq!(
            read("call +44 7911 123456 please").unwrap().digits.as_str(),
            "447911123456"
        );
        assert!(read("+---").is_err());
    }
}
