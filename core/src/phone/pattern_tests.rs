//! Tests of `pattern.rs`: every metadata pattern against the `regex` crate.

use super::*;
use crate::phone::table;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A random text the pattern matches (when it has no `$` in the middle).
fn sample(alts: &[Alt], rng: &mut Rng, out: &mut String) {
    for item in &alts[rng.below(alts.len())].items {
        let n = usize::from(item.min) + rng.below(usize::from(item.max - item.min) + 1);
        for _ in 0..n {
            match &item.node {
                Node::Set(set) => {
                    let digits: Vec<u8> = (0..10).filter(|d| set & (1 << d) != 0).collect();
                    out.push(char::from(b'0' + digits[rng.below(digits.len())]));
                }
                Node::Group(inner, _) => sample(inner, rng, out),
                Node::End => {}
            }
        }
    }
}

/// Texts to try: samples, samples changed by a digit, cut or extended,
/// and random digits.
fn texts(p: &Pattern, rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..12 {
        let mut s = String::new();
        sample(&p.alts, rng, &mut s);
        out.push(s.clone());
        if !s.is_empty() {
            let mut b = s.clone().into_bytes();
            let at = rng.below(b.len());
            b[at] = b'0' + rng.below(10) as u8;
            out.push(String::from_utf8(b).unwrap());
            out.push(s[..rng.below(s.len())].to_string());
        }
        s.push(char::from(b'0' + rng.below(10) as u8));
        out.push(s);
    }
    for _ in 0..8 {
        let len = rng.below(18);
        out.push(
            (0..len)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect(),
        );
    }
    out
}

fn check(src: &str, whole: bool, rng: &mut Rng) -> (usize, usize) {
    let p = Pattern::parse(src).unwrap_or_else(|| panic!("outside the dialect: {src}"));
    let end = if whole { "$" } else { "" };
    let re = regex::Regex::new(&format!("(?x)^(?:{src}){end}")).unwrap();
    assert_eq!(p.group_count() + 1, re.captures_len(), "{src}");
    let (mut tried, mut matched) = (0, 0);
    for t in texts(&p, rng) {
        let want = re.captures(&t).map(|c| {
            c.iter()
                .map(|m| m.map(|m| (m.start(), m.end())))
                .collect::<Vec<_>>()
        });
        assert_eq!(p.captures(&t, whole), want, "{src} on {t:?}");
        let want_end = re.find(&t).map(|m| m.end());
        if whole {
            assert_eq!(p.is_full_match(&t), want_end.is_some(), "{src} on {t:?}");
        } else {
            assert_eq!(p.prefix_end(&t), want_end, "{src} on {t:?}");
        }
        tried += 1;
        matched += usize::from(want_end.is_some());
    }
    (tried, matched)
}

#[test]
fn every_metadata_pattern_matches_as_regex_does() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut tried, mut matched, mut patterns) = (0, 0, 0);
    for r in table::regions() {
        let prefixes = [
            r.international_prefix,
            r.national_prefix_for_parsing,
            r.leading_digits,
        ];
        let descs = r.descs.iter().flatten().map(|d| Some(d.pattern));
        let all = prefixes
            .into_iter()
            .map(|p| (p, false))
            .chain(descs.map(|p| (p, true)));
        for (src, whole) in all {
            let Some(src) = src else { continue };
            let (t, m) = check(src, whole, &mut rng);
            tried += t;
            matched += m;
            patterns += 1;
        }
    }
    assert!(patterns > 1_500, "{patterns} patterns");
    // Both answers are exercised often.
    assert!(
        matched * 10 > tried && matched * 10 < tried * 9,
        "{matched} of {tried}"
    );
}

#[test]
fn groups_and_priorities_follow_leftmost_first() {
    let mut rng = Rng(7);
    for src in [
        "0|(0)1?",
        "(1)?1",
        "(?:(1)|1(2))2?",
        "0([3579]|4(?:[14]4|56))?",
        "([2-9]\\d{6})$|1",
        "(?:0|90)(?:(1[245]|2[1-35])(\\d{10,11}))?",
        "(\\d?)\\d{2}",
        "(?:(\\d)){2,3}",
    ] {
        for whole in [false, true] {
            check(src, whole, &mut rng);
        }
    }
}

#[test]
fn syntax_outside_the_dialect_is_refused() {
    for src in [
        "a", "\\w", "1*", "1+", "1??", "\\d{2}?", "[^1]", "(?i)1", "(1", "1)", "1{3,}", "[]",
    ] {
        assert!(Pattern::parse(src).is_none(), "{src}");
    }
    assert!(Pattern::parse("").is_some_and(|p| p.is_full_match("")));
}
