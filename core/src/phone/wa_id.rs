//! E.164 ↔ WhatsApp id. WhatsApp keys some accounts differently from the number
//! people type: Mexico mobiles may carry a `1` after `52`, Brazil mobiles may
//! lack the ninth digit (accounts from before the change), Argentina mobiles
//! carry a `9` after `54`.

use super::PhoneError;
use crate::error::Result;
use crate::ids::{E164, WaId};

fn push(v: &mut Vec<WaId>, s: String) {
    // Candidates are an E.164 number's 5–15 digits with at most one digit
    // added or removed, so they always validate; the check keeps it that way.
    if let Ok(w) = WaId::try_from(s)
        && !v.contains(&w)
    {
        v.push(w);
    }
}

/// Every wa_id a WhatsApp account for `e164` may have, most likely first.
pub fn wa_id_candidates(e164: &E164) -> Vec<WaId> {
    let d = e164.digits();
    let mut out = Vec::new();
    if let Some(rest) = d.strip_prefix("52") {
        // Mexico: 10-digit national numbers; mobile accounts are often keyed 521 + 10 digits.
        let national = rest
            .strip_prefix('1')
            .filter(|r| r.len() == 10)
            .unwrap_or(rest);
        if national.len() == 10 {
            push(&mut out, format!("521{national}"));
            push(&mut out, format!("52{national}"));
            return out;
        }
    }
    if let Some(rest) = d.strip_prefix("55")
        && (rest.len() == 10 || rest.len() == 11)
    {
        // Brazil: DDD (2 digits) + 9 + 8 digits for mobiles; older accounts lack the 9.
        let (ddd, local) = rest.split_at(2);
        if local.len() == 9 && local.starts_with('9') {
            push(&mut out, d.to_string());
            push(&mut out, format!("55{ddd}{}", &local[1..]));
            return out;
        }
        if local.len() == 8 && matches!(local.as_bytes()[0], b'6'..=b'9') {
            push(&mut out, format!("55{ddd}9{local}"));
            push(&mut out, d.to_string());
            return out;
        }
    }
    if let Some(rest) = d.strip_prefix("54") {
        // Argentina: mobile wa_ids carry the 9 after 54 (national form drops the 15).
        if let Some(without9) = rest.strip_prefix('9') {
            push(&mut out, d.to_string());
            push(&mut out, format!("54{without9}"));
        } else if rest.len() == 10 {
            push(&mut out, format!("549{rest}"));
            push(&mut out, d.to_string());
        }
        if !out.is_empty() {
            return out;
        }
    }
    push(&mut out, d.to_string());
    out
}

/// The most likely wa_id of `e164` (the first of [`wa_id_candidates`]) as
/// pieces to write one after another: a writer formatting a million rows
/// gets it without allocating.
pub fn likely_wa_id_parts(e164: &E164) -> [&str; 3] {
    let d = e164.digits();
    if let Some(rest) = d.strip_prefix("52") {
        let national = rest
            .strip_prefix('1')
            .filter(|r| r.len() == 10)
            .unwrap_or(rest);
        if national.len() == 10 {
            return ["521", national, ""];
        }
    }
    if let Some(rest) = d.strip_prefix("55")
        && (rest.len() == 10 || rest.len() == 11)
    {
        let local = &rest[2..];
        if local.len() == 9 && local.starts_with('9') {
            return [d, "", ""];
        }
        if local.len() == 8 && matches!(local.as_bytes()[0], b'6'..=b'9') {
            // "55" and the area code, the ninth digit, then the rest.
            return [&d[..4], "9", local];
        }
    }
    if let Some(rest) = d.strip_prefix("54")
        && !rest.starts_with('9')
        && rest.len() == 10
    {
        return ["549", rest, ""];
    }
    [d, "", ""]
}

/// The E.164 a person would type for a wa_id.
pub fn e164_from_wa_id(wa_id: &WaId) -> Result<E164> {
    let d = wa_id.as_str().trim().trim_start_matches('+');
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError::BadWaId(wa_id.to_string()).into());
    }
    let text = if let Some(national) = d.strip_prefix("521").filter(|r| r.len() == 10) {
        format!("+52{national}")
    } else if let Some(rest) = d.strip_prefix("55").filter(|r| r.len() == 10) {
        let (ddd, local) = rest.split_at(2);
        if matches!(local.as_bytes()[0], b'6'..=b'9') {
            format!("+55{ddd}9{local}")
        } else {
            format!("+{d}")
        }
    } else {
        format!("+{d}")
    };
    E164::parse_strict(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> E164 {
        E164::parse_strict(s).unwrap()
    }

    fn w(s: &str) -> WaId {
        WaId::try_from(s).unwrap()
    }

    fn c(s: &str) -> Vec<String> {
        wa_id_candidates(&e(s))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn mexico_mobile_with_and_without_the_1() {
        assert_eq!(c("+525512345678"), ["5215512345678", "525512345678"]);
        assert_eq!(c("+5215512345678"), ["5215512345678", "525512345678"]);
        assert_eq!(
            e164_from_wa_id(&w("5215512345678")).unwrap().as_str(),
            "+525512345678"
        );
        assert_eq!(
            e164_from_wa_id(&w("525512345678")).unwrap().as_str(),
            "+525512345678"
        );
    }

    #[test]
    fn brazil_ninth_digit_both_ways() {
        assert_eq!(c("+5511987654321"), ["5511987654321", "551187654321"]);
        assert_eq!(c("+551187654321"), ["5511987654321", "551187654321"]);
        assert_eq!(
            e164_from_wa_id(&w("551187654321")).unwrap().as_str(),
            "+5511987654321"
        );
        // Landlines (starting 2-5) never get a ninth digit.
        assert_eq!(c("+551132654321"), ["551132654321"]);
        assert_eq!(
            e164_from_wa_id(&w("551132654321")).unwrap().as_str(),
            "+551132654321"
        );
    }

    #[test]
    fn argentina_nine_after_54() {
        assert_eq!(c("+5491123456789"), ["5491123456789", "541123456789"]);
        assert_eq!(c("+541123456789"), ["5491123456789", "541123456789"]);
        assert_eq!(
            e164_from_wa_id(&w("5491123456789")).unwrap().as_str(),
            "+5491123456789"
        );
    }

    #[test]
    fn likely_parts_are_the_first_candidate() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut checked = 0;
        for code in ["52", "521", "55", "54", "549", "81", "1"] {
            for len in 6..=13 {
                for _ in 0..40 {
                    let national: String = (0..len)
                        .map(|_| char::from(b'0' + (next() % 10) as u8))
                        .collect();
                    let Ok(n) = E164::parse_strict(&format!("+{code}{national}")) else {
                        continue;
                    };
                    let first = String::from(wa_id_candidates(&n).remove(0));
                    assert_eq!(likely_wa_id_parts(&n).concat(), first, "{n}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "{checked}");
    }

    #[test]
    fn everyone_else_and_round_trips() {
        assert_eq!(c("+819012345678"), ["819012345678"]);
        for s in [
            "+819012345678",
            "+5511987654321",
            "+525512345678",
            "+5491123456789",
            "+447911123456",
        ] {
            let first = wa_id_candidates(&e(s)).remove(0);
            assert_eq!(
                e164_from_wa_id(&first).unwrap().as_str(),
                s,
                "round trip of {s}"
            );
        }
        // Text that is not digits cannot even become a wa_id.
        assert!(WaId::try_from("12ab").is_err());
        assert!(WaId::try_from("").is_err());
    }
}
