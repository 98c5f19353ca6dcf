//! From typed digits to a country code and national number, step by step as
//! libphonenumber's parser takes them, so a number is read right or refused:
//! a country code never starts with 0, a `+` typed before an international
//! prefix is read with the default region's prefix, and a national prefix is
//! stripped only when the rest still has a possible length.

use std::borrow::Cow;
use std::rc::Rc;
use std::str::FromStr;

use super::{PhoneError, meta, text};
use crate::ids::E164;

/// A number split into its parts, before classification.
pub(super) struct Number {
    pub(super) e164: E164,
    pub(super) code: u16,
    pub(super) extension: Option<String>,
    /// Whether the E.164 form would read back as another number (its
    /// national number still starts with a national prefix that a second
    /// reading strips): refused unless the number is valid.
    pub(super) unstable: bool,
}

impl Number {
    /// The national significant number: the E.164 digits after the country code.
    pub(super) fn national(&self) -> &str {
        let code_len = match self.code {
            0..=9 => 1,
            10..=99 => 2,
            _ => 3,
        };
        &self.e164.digits()[code_len..]
    }
}

/// A default region, checked: its id and, when the metadata has it, its rules.
struct Region {
    id: String,
    rules: Option<(meta::Rules, usize)>,
}

thread_local! {
    /// Regions this thread has looked up: an import names one region, or a
    /// few in a country column, on every row.
    /// Shared by `Rc`: every row looks its region up, and copying the id
    /// and rules for each one showed in profiles.
    static REGIONS: std::cell::RefCell<Vec<Rc<Region>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `r` is a region [`region`] accepts.
pub(super) fn known_region(r: &str) -> bool {
    phonenumber::country::Id::from_str(&r.to_ascii_uppercase()).is_ok()
}

fn region(r: &str) -> Result<Rc<Region>, PhoneError> {
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
    let found = Rc::new(Region {
        id: id.to_string(),
        rules: meta::rules_for_region(id),
    });
    REGIONS.with(|c| {
        let mut c = c.borrow_mut();
        // Bounded: a file naming every region still keeps a short list.
        if c.len() == 32 {
            c.clear();
        }
        c.push(Rc::clone(&found));
    });
    Ok(found)
}

/// libphonenumber's parseHelper after the text is read: the country code from
/// `+`, an international prefix or the default region, then the national
/// prefix, each step only when the digits allow it.
pub(super) fn parse_number(
    input: &str,
    default_region: Option<&str>,
) -> Result<Number, PhoneError> {
    if input.trim().is_empty() {
        return Err(PhoneError::Empty);
    }
    let region = match default_region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(region(r)?),
        None => None,
    };
    let typed = text::read(input)?;
    let mut digits: &str = typed.digits.as_str();
    let mut plus = typed.plus;
    if digits.is_empty() {
        return Err(PhoneError::NoNumber(input.to_string()));
    }
    if region.is_none() && !plus {
        // Without a region, a leading 00 is the international prefix used in
        // most of the world (libphonenumber refuses such input).
        match digits.strip_prefix("00") {
            Some(rest) => {
                digits = rest;
                plus = true;
            }
            None => return Err(PhoneError::NoRegion(input.to_string())),
        }
    }
    if digits.len() < 4 {
        return Err(PhoneError::TooShort(input.to_string()));
    }
    if typed.digits.overflow || digits.len() > 19 {
        return Err(PhoneError::TooLong(input.to_string()));
    }
    let rules = match &region {
        Some(r) => Some(
            r.rules
                .as_ref()
                .ok_or_else(|| PhoneError::UnknownRegion(r.id.clone()))?,
        ),
        None => None,
    };
    let default = rules.as_ref().map(|(rules, idx)| &rules[*idx]);
    let bad_code = || PhoneError::InvalidCountryCode(input.to_string());
    let found = if plus {
        match country_code_after_idd(digits, input)? {
            Some(found) => Some(found),
            // A `+` before an international prefix ("+00 64", "+011 64"):
            // libphonenumber reads the digits again as if typed without it,
            // with the default region's prefix; never a country code from a 0.
            None => match default {
                Some(r) => from_default_region(r, digits, input)?.ok_or_else(bad_code)?,
                None => return Err(bad_code()),
            }
            .into(),
        }
    } else {
        let r = default.ok_or_else(|| PhoneError::NoRegion(input.to_string()))?;
        from_default_region(r, digits, input)?
    };
    let extracted = found.is_some();
    let (code, national) = match found {
        Some(found) => found,
        None => {
            let r = default.ok_or_else(|| PhoneError::NoRegion(input.to_string()))?;
            (r.country_code, Cow::Borrowed(digits))
        }
    };
    let main = meta::rules_for(code).ok_or_else(bad_code)?;
    // The national prefix is stripped with the rules of the number's main
    // region (or the default region when no country code was typed), and
    // only when what remains has a possible length.
    let strip_rules = if extracted { main.first() } else { default };
    let (national, stripped) = match strip_rules.and_then(|r| strip_checked(r, &national)) {
        Some(shorter) => (Cow::Owned(shorter), true),
        None => (national, false),
    };
    // E.164 is read back with the main region's rules: when they just found
    // no prefix to strip, a second reading finds none either.
    let same_rules = match (strip_rules, main.first()) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        _ => false,
    };
    let unstable = (stripped || !same_rules)
        && main
            .first()
            .is_some_and(|r| strip_checked(r, &national).is_some());
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
        extension: typed.extension,
        unstable,
    })
}

/// The national number without its national prefix, when one is there and
/// what remains has a possible length (libphonenumber's parseHelper check).
fn strip_checked(r: &meta::RegionRules, national: &str) -> Option<String> {
    let candidate = r.strip_national_prefix(national);
    (candidate.len() != national.len() && r.length_allows(candidate.len()))
        .then(|| candidate.into_owned())
}

/// The country code at the start of digits that followed `+` or an
/// international prefix (libphonenumber's extractCountryCode): too short
/// when two digits or fewer remain, none when they start with 0 or name no
/// country.
fn country_code_after_idd<'a>(
    digits: &'a str,
    input: &str,
) -> Result<Option<(u16, Cow<'a, str>)>, PhoneError> {
    if digits.len() <= 2 {
        return Err(PhoneError::TooShort(input.to_string()));
    }
    if digits.starts_with('0') {
        return Ok(None);
    }
    Ok(meta::split_country_code(digits).map(|(code, national)| (code, Cow::Borrowed(national))))
}

/// libphonenumber's maybeExtractCountryCode for digits typed without `+`:
/// the region's international prefix then a country code, or the region's
/// own country code typed without `+` when only that reading fits; `None`
/// when the digits are national.
fn from_default_region<'a>(
    r: &meta::RegionRules,
    digits: &'a str,
    input: &str,
) -> Result<Option<(u16, Cow<'a, str>)>, PhoneError> {
    if let Some(n) = r.idd_len(digits) {
        return match country_code_after_idd(&digits[n..], input)? {
            Some(found) => Ok(Some(found)),
            None => Err(PhoneError::InvalidCountryCode(input.to_string())),
        };
    }
    Ok(r.strip_own_country_code(digits)
        .map(|n| (r.country_code, n)))
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
