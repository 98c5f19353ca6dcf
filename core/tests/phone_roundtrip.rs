//! Property: a number wacrm parsed, written back in E.164 or in the
//! international format (libphonenumber's, from the `phonenumber` crate) and
//! parsed again, is the same number with the same extension.

use proptest::prelude::*;
use wacrm::phone::parse;

const REGIONS: &[&str] = &[
    "JP", "HK", "CN", "TW", "KR", "SG", "IN", "AE", "SA", "IL", "TR", "GB", "GG", "IE", "FR", "DE",
    "ES", "IT", "NL", "CH", "SE", "PL", "RU", "US", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "AU",
    "NZ", "ZA", "NG", "KE", "ID", "VN", "TH", "PH",
];

fn international(e164: &str, country_code: u16) -> Option<String> {
    let nsn = &e164[1 + country_code.to_string().len()..];
    if nsn.starts_with('0') {
        // The `phonenumber` crate keeps national numbers as integers and
        // loses a leading 0 ("+57 03..." becomes "+57 3..."): write the
        // international form by hand for those.
        return Some(format!("+{country_code} {nsn}"));
    }
    let n = phonenumber::parse(None, e164).ok()?;
    let same = n.format().mode(phonenumber::Mode::E164).to_string() == e164;
    if !same {
        // The crate's own parser reads some invalid numbers differently
        // (it strips national prefixes after the country code more eagerly):
        // write them as libphonenumber does when no format applies.
        return Some(format!("+{country_code} {nsn}"));
    }
    Some(
        n.format()
            .mode(phonenumber::Mode::International)
            .to_string(),
    )
}

fn check(input: &str, region: &str) -> Result<(), TestCaseError> {
    let Ok(first) = parse(input, Some(region)) else {
        return Ok(());
    };
    let e164 = first.e164.as_str().to_string();
    let mut written = vec![e164.clone()];
    if let Some(intl) = international(&e164, first.country_code) {
        written.push(intl);
    }
    for w in written {
        let w = match &first.extension {
            Some(x) => format!("{w} ext. {x}"),
            None => w,
        };
        for r in [None, Some(region)] {
            let again = parse(&w, r);
            prop_assert!(
                again.is_ok(),
                "{input:?} [{region}] -> {w:?} refused: {again:?}"
            );
            let again = again.unwrap();
            prop_assert_eq!(
                (again.e164.as_str(), &again.extension),
                (e164.as_str(), &first.extension),
                "{:?} [{}] -> {:?} [{:?}]",
                input,
                region,
                w,
                r
            );
            prop_assert_eq!(
                (again.valid, again.number_type),
                (first.valid, first.number_type)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn national_digits_round_trip(
        region in proptest::sample::select(REGIONS),
        digits in "[0-9]{4,15}",
        sep in proptest::sample::select(&["", " ", "-", "."][..]),
        ext in proptest::option::of("[0-9]{1,6}"),
    ) {
        let mut input = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && i % 3 == 0 {
                input.push_str(sep);
            }
            input.push(c);
        }
        if let Some(x) = ext {
            input.push_str(" ext ");
            input.push_str(&x);
        }
        check(&input, region)?;
    }

    /// Any text, typed with phone-ish characters or not, gives a number that
    /// reads back as itself, or a typed refusal; never a panic.
    #[test]
    fn any_text_round_trips_or_is_refused(
        region in proptest::sample::select(REGIONS),
        text in "[0-9０-９٠-٩+＋()（） .,;:#~xXeEtTnN/\\-]{0,30}|.{0,30}",
    ) {
        check(&text, region)?;
    }

    #[test]
    fn international_digits_round_trip(
        region in proptest::sample::select(REGIONS),
        digits in "[1-9][0-9]{5,14}",
        zero in proptest::bool::ANY,
    ) {
        // With and without a (0) after the country code.
        let input = if zero {
            format!("+{} (0){}", &digits[..2], &digits[2..])
        } else {
            format!("+{digits}")
        };
        check(&input, region)?;
    }
}

#[test]
fn known_cases_round_trip() {
    for (input, region) in [
        ("+57 (0)321 1233971", "CO"),
        ("03 331 6005 ext. 3456", "NZ"),
        ("1800 SIX FLAGS", "US"),
        ("090-1234-5678", "JP"),
        ("011 15 1234 5678", "AR"),
        ("+0064 3 331 6005", "GB"),
    ] {
        check(input, region).unwrap();
    }
}
