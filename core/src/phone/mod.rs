//! C4: phone numbers. Parse what people type (spaces, dashes, dots, brackets,
//! `00`/`+`, trunk `0`, decimal digits of every script, full-width forms,
//! extensions, RFC 3966 `tel:` URIs, vanity letters, text around the number)
//! with a default region into E.164, read right or refused, never as a
//! different number; validate and classify with libphonenumber's metadata
//! (the `phonenumber` crate, whose metadata updates with the crate); map
//! E.164 ↔ WhatsApp `wa_id` with the Mexico, Brazil and Argentina quirks;
//! normalize batches on all cores.

mod batch;
mod meta;
mod number;
mod pattern;
mod table;
mod text;
mod tz;
mod wa_id;

use serde::{Deserialize, Serialize};

pub use batch::{NormalizedRow, normalize_batch, normalize_lines, normalize_one};
pub use tz::{time_zone_name_of, time_zone_of};
pub use wa_id::{e164_from_wa_id, likely_wa_id_parts, wa_id_candidates};

use number::parse_number;

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
    /// The digits read as an invalid number whose E.164 form would read back
    /// as another one (a national prefix typed twice, "0 0 11 ..."):
    /// refused rather than guessed.
    #[error("{0:?} is ambiguous: its national prefix is typed more than once")]
    Ambiguous(String),
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
            PhoneError::Ambiguous(_) => "ambiguous",
            PhoneError::BadWaId(_) => "bad_wa_id",
        }
    }
}

impl From<PhoneError> for crate::Error {
    fn from(e: PhoneError) -> Self {
        crate::Error::validation("phone", e.to_string())
    }
}

/// Fold what people type into the ASCII a parser expects (decimal digits of
/// every script, full-width forms) and keep the number part of the text.
pub fn clean_input(input: &str) -> String {
    let folded = text::fold(input);
    let start = folded.find(|c: char| c == '+' || c.is_ascii_digit());
    let end = folded.rfind(|c: char| c.is_ascii_digit()).map(|i| i + 1);
    match (start, end) {
        (Some(s), Some(e)) if e > s => folded[s..e].to_string(),
        _ => String::new(),
    }
}

/// Whether `region` names an ISO 3166 region a default region may be (as
/// [`parse`] would accept it), without compiling any of its patterns.
pub fn is_known_region(region: &str) -> bool {
    number::known_region(region)
}

/// Parse `input` into E.164 with `default_region` (ISO alpha-2) for numbers
/// typed without a country code.
pub fn parse(input: &str, default_region: Option<&str>) -> Result<PhoneInfo, PhoneError> {
    let (n, region, number_type, valid) = parse_classified(input, default_region)?;
    Ok(PhoneInfo {
        e164: n.e164,
        region: region.to_string(),
        country_code: n.code,
        number_type,
        valid,
        extension: n.extension,
    })
}

/// What a normalized row shows of a number: [`parse`] without the extension
/// and with the region borrowed from the metadata, so a writer formatting
/// many rows allocates only the E.164 text.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    /// E.164.
    pub e164: E164,
    /// ISO 3166 alpha-2 region (`001` for non-geographic numbers).
    pub region: &'static str,
    /// Line type.
    pub number_type: NumberType,
    /// Whether libphonenumber's metadata says the number is valid.
    pub valid: bool,
}

/// [`parse`] for a normalized row (same answers and errors).
pub fn parse_normalized(
    input: &str,
    default_region: Option<&str>,
) -> Result<Normalized, PhoneError> {
    let (n, region, number_type, valid) = parse_classified(input, default_region)?;
    Ok(Normalized {
        e164: n.e164,
        region,
        number_type,
        valid,
    })
}

fn parse_classified(
    input: &str,
    default_region: Option<&str>,
) -> Result<(number::Number, &'static str, NumberType, bool), PhoneError> {
    let n = parse_number(input, default_region)?;
    let (region, number_type, valid) =
        meta::classify(n.code, n.national()).unwrap_or(("001", NumberType::Unknown, false));
    if n.unstable && !valid {
        return Err(PhoneError::Ambiguous(input.to_string()));
    }
    Ok((n, region, number_type, valid))
}

/// E.164 and whether the number is valid, without its line type or region:
/// the part of [`parse`] a bulk import needs (same answers, less work).
pub fn parse_valid(input: &str, default_region: Option<&str>) -> Result<(E164, bool), PhoneError> {
    let n = parse_number(input, default_region)?;
    let valid = meta::is_valid(n.code, n.national());
    if n.unstable && !valid {
        return Err(PhoneError::Ambiguous(input.to_string()));
    }
    Ok((n.e164, valid))
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
    fn wrong_numbers_that_look_right_are_read_right_or_refused() {
        // A (0) after the country code: libphonenumber keeps the 0 when
        // stripping it with the carrier digit would leave an impossible length.
        assert_eq!(e("+57 (0)321 1233971", None), "+5703211233971");
        assert!(!parse("+57 (0)321 1233971", None).unwrap().valid);
        assert_eq!(e("+57 321 1233971", None), "+573211233971");
        assert_eq!(e("+44 (0)20 7031 3000", None), "+442070313000");
        assert_eq!(e("+39 (0)6 1234 5678", None), "+390612345678");
        // No country code starts with 0, after `+` or after 00.
        for (input, region) in [
            ("+00 123 456 789", None),
            ("+00 123 456 789", Some("US")),
            ("+0 123 456 789", Some("GB")),
            ("000 44 20 7031 3000", None),
            ("+0064 3 331 6005", None),
            ("+01164 3 331 6005", None),
        ] {
            assert!(
                matches!(parse(input, region), Err(PhoneError::InvalidCountryCode(_))),
                "{input} [{region:?}]: {:?}",
                parse(input, region)
            );
        }
        // An international prefix typed after `+` is read with the region's prefix.
        assert_eq!(e("+0064 3 331 6005", Some("NZ")), "+6433316005");
        assert_eq!(e("+0064 3 331 6005", Some("GB")), "+6433316005");
        assert_eq!(e("+01164 3 331 6005", Some("US")), "+6433316005");
        // A 0 right after the region's international prefix is not a country
        // code; read as national digits, the prefix is there twice and the
        // number invalid: refused rather than guessed (libphonenumber returns
        // +4400123456789, which reads back as +440123456789).
        assert!(matches!(
            parse("00 0123 456 789", Some("GB")),
            Err(PhoneError::Ambiguous(_))
        ));
        // Nothing dialled after the prefix.
        assert!(matches!(
            parse("0044", Some("GB")),
            Err(PhoneError::TooShort(_))
        ));
        assert!(matches!(
            parse("011", Some("US")),
            Err(PhoneError::TooShort(_))
        ));
    }

    #[test]
    fn extensions_vanity_tel_and_scripts() {
        let p = parse("(212) 123-1234 x508", Some("US")).unwrap();
        assert_eq!(
            (p.e164.as_str(), p.extension.as_deref()),
            ("+12121231234", Some("508"))
        );
        let p = parse("03 331 6005 ДОБ. 100", Some("NZ")).unwrap();
        assert_eq!(
            (p.e164.as_str(), p.extension.as_deref()),
            ("+6433316005", Some("100"))
        );
        let p = parse("03 331 6005 ｅｘｔｎ ３４５６", Some("NZ")).unwrap();
        assert_eq!(p.extension.as_deref(), Some("3456"));
        let p = parse("tel:03-331-6005;isub=12345;phone-context=+64", None).unwrap();
        assert_eq!((p.e164.as_str(), p.extension), ("+6433316005", None));
        assert_eq!(e("1-800-SIX-FLAG", Some("US")), "+18007493524");
        assert_eq!(e("᠐᠓ ᠓᠓᠑ ᠖᠐᠐᠕", Some("NZ")), "+6433316005");
        assert_eq!(e("০৩ ৩৩১ ৬০০৫", Some("NZ")), "+6433316005");
        assert_eq!(e("०९८७६५ ४३२१०", Some("IN")), "+919876543210");
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
