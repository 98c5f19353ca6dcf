//! C4: phone numbers. Parse what people type (spaces, dashes, dots, brackets,
//! `00`/`+`, trunk `0`, full-width and Arabic-Indic digits, extensions, text
//! around the number) with a default region into E.164; validate and classify
//! with libphonenumber's metadata (the `phonenumber` crate, whose metadata
//! updates with the crate); map E.164 ↔ WhatsApp `wa_id` with the Mexico,
//! Brazil and Argentina quirks; normalize batches on all cores.

mod batch;
mod meta;
mod wa_id;

use std::borrow::Cow;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use batch::{NormalizedRow, normalize_batch, normalize_lines};
pub use wa_id::{e164_from_wa_id, wa_id_candidates};

use crate::ids::E164;

/// What kind of line a number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberType {
    /// Fixed line.
    FixedLine,
    /// Mobile.
    Mobile,
    /// Cannot tell fixed from mobile (e.g. US, CA).
    FixedLineOrMobile,
    /// Freephone.
    TollFree,
    /// Premium rate.
    PremiumRate,
    /// Shared cost.
    SharedCost,
    /// Personal number.
    PersonalNumber,
    /// VoIP.
    Voip,
    /// Pager.
    Pager,
    /// Universal access number.
    Uan,
    /// Emergency.
    Emergency,
    /// Voicemail access.
    Voicemail,
    /// Short code.
    ShortCode,
    /// Standard rate.
    StandardRate,
    /// Carrier specific.
    CarrierSpecific,
    /// SMS only.
    SmsServices,
    /// Unknown.
    Unknown,
}

impl NumberType {
    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::FixedLine => "fixed_line",
            NumberType::Mobile => "mobile",
            NumberType::FixedLineOrMobile => "fixed_line_or_mobile",
            NumberType::TollFree => "toll_free",
            NumberType::PremiumRate => "premium_rate",
            NumberType::SharedCost => "shared_cost",
            NumberType::PersonalNumber => "personal_number",
            NumberType::Voip => "voip",
            NumberType::Pager => "pager",
            NumberType::Uan => "uan",
            NumberType::Emergency => "emergency",
            NumberType::Voicemail => "voicemail",
            NumberType::ShortCode => "short_code",
            NumberType::StandardRate => "standard_rate",
            NumberType::CarrierSpecific => "carrier_specific",
            NumberType::SmsServices => "sms_services",
            NumberType::Unknown => "unknown",
        }
    }

    /// Whether WhatsApp can plausibly live on it.
    pub fn can_be_mobile(self) -> bool {
        matches!(
            self,
            NumberType::Mobile
                | NumberType::FixedLineOrMobile
                | NumberType::PersonalNumber
                | NumberType::Voip
        )
    }
}

/// A parsed number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneInfo {
    /// E.164.
    pub e164: E164,
    /// ISO 3166 alpha-2 region (`001` for non-geographic numbers).
    pub region: String,
    /// Country calling code.
    pub country_code: u16,
    /// Line type.
    pub number_type: NumberType,
    /// Whether libphonenumber's metadata says the number is valid.
    pub valid: bool,
    /// Extension, when one was typed.
    pub extension: Option<String>,
}

/// Why a number could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing to parse.
    #[error("empty input")]
    Empty,
    /// No digits that form a number.
    #[error("no phone number in {0:?}")]
    NoNumber(String),
    /// The default region is not an ISO code libphonenumber knows.
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
    /// No `+` and no default region to tell the country.
    #[error("{0:?} has no country code and no default region was given")]
    NoRegion(String),
    /// Too short for any plan.
    #[error("{0:?} is too short")]
    TooShort(String),
    /// Too long for any plan.
    #[error("{0:?} is too long")]
    TooLong(String),
    /// The country code does not exist.
    #[error("{0:?} has an invalid country code")]
    InvalidCountryCode(String),
    /// A wa_id that is not digits.
    #[error("{0:?} is not a WhatsApp id (digits only)")]
    BadWaId(String),
}

impl PhoneError {
    /// Short machine-readable reason (`empty`, `no_number`, ...).
    pub fn reason(&self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::NoNumber(_) => "no_number",
            PhoneError::UnknownRegion(_) => "unknown_region",
            PhoneError::NoRegion(_) => "no_region",
            PhoneError::TooShort(_) => "too_short",
            PhoneError::TooLong(_) => "too_long",
            PhoneError::InvalidCountryCode(_) => "invalid_country_code",
            PhoneError::BadWaId(_) => "bad_wa_id",
        }
    }
}

impl From<PhoneError> for crate::Error {
    fn from(e: PhoneError) -> Self {
        crate::Error::validation("phone", e.to_string())
    }
}

/// libphonenumber's metadata as shipped by the `phonenumber` crate (only the
/// pattern sources are read; wacrm compiles its own anchored regexes).
fn database() -> &'static phonenumber::metadata::Database {
    &phonenumber::metadata::DATABASE
}

/// Fold what people type into the ASCII a parser expects: full-width and
/// Arabic-Indic digits, full-width punctuation, and text around the number.
pub fn clean_input(input: &str) -> String {
    clean(input).into_owned()
}

/// [`clean_input`] borrowing the input when it needs no folding (plain ASCII).
fn clean(input: &str) -> Cow<'_, str> {
    if input.is_ascii() {
        return Cow::Borrowed(number_part(input));
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        let mapped = match c {
            '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10),
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
            '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10),
            '＋' => Some('+'),
            '－' | '‐' | '‑' | '‒' | '–' | '—' | 'ー' => Some('-'),
            '（' => Some('('),
            '）' => Some(')'),
            '　' => Some(' '),
            '．' => Some('.'),
            _ => Some(c),
        };
        if let Some(m) = mapped {
            out.push(m);
        }
    }
    Cow::Owned(number_part(&out).to_string())
}

/// From the first '+', '(' or digit to the end of the last digit.
fn number_part(s: &str) -> &str {
    let Some(start) = s.find(|c: char| c == '+' || c == '(' || c.is_ascii_digit()) else {
        return "";
    };
    let end = s
        .rfind(|c: char| c.is_ascii_digit())
        .map(|i| i + 1)
        .unwrap_or(s.len());
    if end <= start {
        return "";
    }
    s[start..end].trim()
}

/// Parse `input` into E.164 with `default_region` (ISO alpha-2) for numbers
/// typed without a country code.
pub fn parse(input: &str, default_region: Option<&str>) -> Result<PhoneInfo, PhoneError> {
    let n = parse_number(input, default_region)?;
    let (region, number_type, valid) = meta::classify(database(), n.code, n.national())
        .unwrap_or_else(|| ("001".to_string(), NumberType::Unknown, false));
    Ok(PhoneInfo {
        e164: n.e164,
        region,
        country_code: n.code,
        number_type,
        valid,
        extension: n.extension,
    })
}

/// E.164 and whether the number is valid, without its line type or region:
/// the part of [`parse`] a bulk import needs (same answers, less work).
pub fn parse_valid(input: &str, default_region: Option<&str>) -> Result<(E164, bool), PhoneError> {
    let n = parse_number(input, default_region)?;
    let valid = meta::is_valid(database(), n.code, n.national());
    Ok((n.e164, valid))
}

/// A number split into its parts, before classification.
struct Number {
    e164: E164,
    code: u16,
    extension: Option<String>,
}

impl Number {
    /// The national significant number: the E.164 digits after the country code.
    fn national(&self) -> &str {
        let code_len = match self.code {
            0..=9 => 1,
            10..=99 => 2,
            _ => 3,
        };
        &self.e164.digits()[code_len..]
    }
}

/// A default region, checked: its id and, when the metadata has it, its rules.
#[derive(Clone)]
struct Region {
    id: String,
    rules: Option<(meta::Rules, usize)>,
}

thread_local! {
    /// Regions this thread has looked up: an import names one region, or a
    /// few in a country column, on every row.
    static REGIONS: std::cell::RefCell<Vec<Region>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn region(r: &str) -> Result<Region, PhoneError> {
    let known = REGIONS.with(|c| {
        c.borrow()
            .iter()
            .find(|k| k.id.eq_ignore_ascii_case(r))
            .cloned()
    });
    if let Some(k) = known {
        return Ok(k);
    }
    let id = phonenumber::country::Id::from_str(&r.to_ascii_uppercase())
        .map_err(|_| PhoneError::UnknownRegion(r.to_string()))?;
    let id: &str = id.as_ref();
    let found = Region {
        id: id.to_string(),
        rules: meta::rules_for_region(database(), id),
    };
    REGIONS.with(|c| {
        let mut c = c.borrow_mut();
        // Bounded: a file naming every region still keeps a short list.
        if c.len() == 32 {
            c.clear();
        }
        c.push(found.clone());
    });
    Ok(found)
}

fn parse_number(input: &str, default_region: Option<&str>) -> Result<Number, PhoneError> {
    if input.trim().is_empty() {
        return Err(PhoneError::Empty);
    }
    let region = match default_region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(region(r)?),
        None => None,
    };
    let mut cleaned = clean(input);
    let digits = cleaned.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(PhoneError::NoNumber(input.to_string()));
    }
    if region.is_none() && !cleaned.starts_with('+') {
        // Without a region, a leading 00 is the international prefix used in most of the world.
        if let Some(rest) = cleaned.strip_prefix("00") {
            cleaned = Cow::Owned(format!("+{rest}"));
        } else {
            return Err(PhoneError::NoRegion(input.to_string()));
        }
    }
    if digits < 4 {
        return Err(PhoneError::TooShort(input.to_string()));
    }
    if digits > 19 {
        return Err(PhoneError::TooLong(input.to_string()));
    }
    let db = database();
    let (body, extension) = split_extension(&cleaned);
    // At most 19 digits (checked above): they fit on the stack.
    let mut buf = [0u8; 19];
    let mut len = 0;
    for d in body.bytes().filter(u8::is_ascii_digit) {
        let slot = buf
            .get_mut(len)
            .ok_or_else(|| PhoneError::TooLong(input.to_string()))?;
        *slot = d;
        len += 1;
    }
    let digits = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    let international = body.trim_start().starts_with('+');
    let (code, national) = if international {
        international_parts(db, digits)
            .ok_or_else(|| PhoneError::InvalidCountryCode(input.to_string()))?
    } else {
        let region = region.ok_or_else(|| PhoneError::NoRegion(input.to_string()))?;
        let (rules, idx) = region
            .rules
            .ok_or_else(|| PhoneError::UnknownRegion(region.id.clone()))?;
        let r = &rules[idx];
        match r.idd_len(digits) {
            // Dialled with the region's international prefix (00, 011, ...).
            Some(n) => international_parts(db, &digits[n..])
                .ok_or_else(|| PhoneError::InvalidCountryCode(input.to_string()))?,
            None => match r.strip_own_country_code(digits) {
                Some(n) => (r.country_code, n),
                None => (r.country_code, r.strip_national_prefix(digits)),
            },
        }
    };
    if national.len() < 2 {
        return Err(PhoneError::TooShort(input.to_string()));
    }
    if national.len() > 17 {
        return Err(PhoneError::TooLong(input.to_string()));
    }
    let mut e164_text = String::with_capacity(1 + 3 + national.len());
    e164_text.push('+');
    e164_text.push_str(itoa_u16(code, &mut [0u8; 5]));
    e164_text.push_str(&national);
    if e164_text.len() > 16 {
        return Err(PhoneError::TooLong(input.to_string()));
    }
    let e164 = E164::try_from(e164_text).map_err(|_| PhoneError::TooShort(input.to_string()))?;
    Ok(Number {
        e164,
        code,
        extension,
    })
}

/// `n` in decimal, written into `buf`.
fn itoa_u16(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

fn international_parts<'a>(
    db: &phonenumber::metadata::Database,
    digits: &'a str,
) -> Option<(u16, Cow<'a, str>)> {
    let (code, national) = meta::split_country_code(db, digits)?;
    // libphonenumber strips a national prefix after the country code only when
    // the number stays viable; the main region's rules decide.
    let rules = meta::rules_for(db, code)?;
    let national = match rules.first() {
        Some(r) => r.strip_national_prefix(national),
        None => Cow::Borrowed(national),
    };
    Some((code, national))
}

/// Split an extension (`ext. 123`, `x123`, `#123`) off the end.
fn split_extension(s: &str) -> (&str, Option<String>) {
    thread_local! {
        // One compiled copy per thread: a shared Regex contends on its cache pool.
        static EXT: regex::Regex =
            regex::Regex::new(r"(?i)[\s,;]*(?:ext\.?|extension|extn\.?|x|#|доб\.?|内線)\s*(\d{1,7})$")
                .expect("extension regex");
    }
    // Cheap pre-check: most inputs end in a plain digit with no extension marker.
    if !s
        .bytes()
        .any(|b| matches!(b, b'x' | b'X' | b'#' | b't' | b'T' | b'n' | b'N'))
        && !s.contains("доб")
        && !s.contains("内線")
    {
        return (s, None);
    }
    EXT.with(|re| match re.captures(s) {
        Some(c) => {
            let whole = c.get(0).expect("match");
            (
                &s[..whole.start()],
                c.get(1).map(|m| m.as_str().to_string()),
            )
        }
        None => (s, None),
    })
}

/// The most likely region of an E.164 number's country code (for time zones,
/// rate cards and quiet hours when nothing better is known).
pub fn region_of(e164: &str) -> Option<String> {
    parse(e164, None)
        .ok()
        .map(|p| p.region)
        .filter(|r| r != "001")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(input: &str, region: Option<&str>) -> String {
        parse(input, region)
            .unwrap_or_else(|err| panic!("{input}: {err}"))
            .e164
            .to_string()
    }

    #[test]
    fn what_people_type() {
        assert_eq!(e("090-1234-5678", Some("JP")), "+819012345678");
        assert_eq!(e("(852) 9123 4567", Some("HK")), "+85291234567");
        assert_eq!(e("+55 11 9 8765-4321", None), "+5511987654321");
        assert_eq!(e("０９０－１２３４－５６７８", Some("JP")), "+819012345678");
        assert_eq!(
            e("call me at +44 7911 123456 please", None),
            "+447911123456"
        );
        assert_eq!(e("0044 7911 123456", None), "+447911123456");
        assert_eq!(e("07911 123456", Some("gb")), "+447911123456");
        assert_eq!(e("٠٥٠١٢٣٤٥٦٧", Some("AE")), "+971501234567");
        assert_eq!(e("(650) 253-0000", Some("US")), "+16502530000");
        let p = parse("+1 650 253 0000 ext. 123", None).unwrap();
        assert_eq!(p.extension.as_deref(), Some("123"));
        assert_eq!(p.region, "US");
    }

    #[test]
    fn types_and_validity() {
        let m = parse("+819012345678", None).unwrap();
        assert_eq!(
            (m.number_type, m.valid, m.region.as_str(), m.country_code),
            (NumberType::Mobile, true, "JP", 81)
        );
        let f = parse("03-1234-5678", Some("JP")).unwrap();
        assert_eq!(f.number_type, NumberType::FixedLine);
        let t = parse("0120-123-456", Some("JP")).unwrap();
        assert_eq!(t.number_type, NumberType::TollFree);
        let invalid = parse("+81 12", None);
        assert!(invalid.is_err() || !invalid.unwrap().valid);
    }

    #[test]
    fn validity_alone_agrees_with_full_parse() {
        let inputs = [
            ("+819012345678", None),
            ("03-1234-5678", Some("JP")),
            ("0120-123-456", Some("JP")),
            ("+81 12", None),
            ("+1 650 253 0000", None),
            ("+1 555 000 0000", None),
            ("+44 7911 123456", None),
            ("+44 20 7946 0000", None),
            ("+852 9123 4567", None),
            ("+5511987654321", None),
            ("+55 11 1234", None),
            ("+971501234567", None),
            ("+1 800 555 0199", None),
            ("+1 868 555 0100", None),
            ("+7 912 345 67 89", None),
            ("+888 1234 5678", None),
        ];
        for (i, r) in inputs {
            match (parse(i, r), parse_valid(i, r)) {
                (Ok(p), Ok((e, v))) => {
                    assert_eq!((p.e164, p.valid), (e, v), "{i}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{i}"),
                (a, b) => panic!("{i}: {a:?} vs {b:?}"),
            }
        }
        // And on many made-up numbers, valid and not, across regions.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let codes = [1, 7, 33, 44, 49, 52, 54, 55, 61, 81, 86, 91, 234, 852, 971];
        let (mut valid, mut checked) = (0, 0);
        for _ in 0..3_000 {
            let code = codes[(next() % codes.len() as u64) as usize];
            let len = 6 + (next() % 6) as usize;
            let national: String = (0..len)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let input = format!("+{code}{national}");
            if let (Ok(p), Ok((e, v))) = (parse(&input, None), parse_valid(&input, None)) {
                assert_eq!((p.e164, p.valid), (e, v), "{input}");
                checked += 1;
                valid += usize::from(v);
            }
        }
        assert!(checked > 2_000 && valid > 100, "{checked} {valid}");
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        assert_eq!(parse("", Some("JP")), Err(PhoneError::Empty));
        assert_eq!(parse("   ", None), Err(PhoneError::Empty));
        assert!(matches!(
            parse("call me", Some("JP")),
            Err(PhoneError::NoNumber(_))
        ));
        assert!(matches!(
            parse("12", Some("JP")),
            Err(PhoneError::TooShort(_))
        ));
        assert!(matches!(
            parse("1234567890123456789012", Some("JP")),
            Err(PhoneError::TooLong(_))
        ));
        assert!(matches!(
            parse("090-1234-5678", Some("XX")),
            Err(PhoneError::UnknownRegion(_))
        ));
        assert!(matches!(
            parse("090-1234-5678", None),
            Err(PhoneError::NoRegion(_))
        ));
        assert_eq!(PhoneError::Empty.reason(), "empty");
        let err: crate::Error = PhoneError::Empty.into();
        assert_eq!(err.code(), "VALIDATION");
    }
}
