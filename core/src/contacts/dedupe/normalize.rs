//! Text folding shared by comparisons and blocking keys: names in any script
//! compare after width, case, accent and kana folding.

use rapidfuzz::distance::{jaro_winkler as jw, levenshtein, osa};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold a name or free-text value for comparison: NFKC (full-width → ASCII,
/// half-width kana → full-width), accents dropped from alphabetic scripts
/// (é → e, ß stays), lowercase, katakana → hiragana, punctuation and runs of
/// spaces collapsed to one space. Han, Hangul and other scripts pass through.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] appending to `out` (no allocation of its own).
pub fn fold_into(s: &str, out: &mut String) {
    let base = out.len();
    let mut pending_space = false;
    let ascii = s.is_ascii();
    // The ASCII fast path skips Unicode normalization: most contact data is ASCII.
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if pending_space && out.len() > base {
                out.push(' ');
            }
            pending_space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    out.push(kana_to_hiragana(l));
                }
            }
        } else if c == '\'' || c == '\u{2019}' || is_combining_mark(c) {
            // O'Brien == OBrien; stray combining marks carry no identity.
        } else {
            pending_space = true;
        }
    };
    if ascii {
        for c in s.chars() {
            push(c, out);
        }
    } else {
        for c in s.nfkc() {
            // Decompose letters of alphabetic scripts (Latin, Greek, Cyrillic) so
            // their accents drop; kana keep their voicing marks.
            if (c as u32) < 0x0530 && !c.is_ascii() {
                for d in std::iter::once(c).nfd() {
                    push(d, out);
                }
            } else {
                push(c, out);
            }
        }
    }
}

fn kana_to_hiragana(c: char) -> char {
    match c as u32 {
        // Katakana ァ..ヶ map 0x60 down onto hiragana ぁ..ゖ.
        0x30A1..=0x30F6 => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// Only the digits of a value (dates, postcodes, ids typed with separators).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Dates of birth in common spellings (`1990-02-19`, `19900219`,
/// `19/02/1990`) to `YYYYMMDD`; other values keep their digits.
pub fn date_key(s: &str) -> String {
    let mut out = String::with_capacity(8);
    date_key_into(s, &mut out);
    out
}

/// [`date_key`] appending to `out`.
pub fn date_key_into(s: &str, out: &mut String) {
    let mut parts = [""; 3];
    let mut n = 0;
    for p in s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
    {
        if n == 3 {
            n = 4;
            break;
        }
        parts[n] = p;
        n += 1;
    }
    let pad = |out: &mut String, p: &str| {
        if p.len() < 2 {
            out.push('0');
        }
        out.push_str(p);
    };
    match (n, parts) {
        (3, [y, m, d]) if y.len() == 4 => {
            out.push_str(y);
            pad(out, m);
            pad(out, d);
        }
        (3, [d, m, y]) if y.len() == 4 => {
            out.push_str(y);
            pad(out, m);
            pad(out, d);
        }
        _ => out.extend(s.chars().filter(char::is_ascii_digit)),
    }
}

/// Name tokens sorted, so "Tanaka Hiro" and "Hiro Tanaka" compare equal.
pub fn sorted_tokens(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    sorted_tokens_into(folded, &mut out);
    out
}

/// [`sorted_tokens`] appending to `out`.
pub fn sorted_tokens_into(folded: &str, out: &mut String) {
    // Names have a handful of tokens: sort them on the stack.
    let mut small = [""; 8];
    let mut n = 0;
    let mut spill: Vec<&str> = Vec::new();
    for t in folded.split(' ').filter(|t| !t.is_empty()) {
        if n < small.len() {
            small[n] = t;
            n += 1;
        } else {
            if spill.is_empty() {
                spill.extend_from_slice(&small);
            }
            spill.push(t);
        }
    }
    let tokens: &mut [&str] = if spill.is_empty() {
        &mut small[..n]
    } else {
        &mut spill
    };
    tokens.sort_unstable();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(t);
    }
}

/// Similarity of two folded strings in [0, 1]: 1 − Levenshtein distance over
/// the longer length, counted in characters so every script weighs the same.
pub fn similarity(a: &str, b: &str) -> f64 {
    similarity_at_least(a, b, 0.0).unwrap_or(0.0)
}

/// Longest string (in characters) measured on the stack.
const SMALL: usize = 32;

/// Levenshtein distance of two short sequences, one row on the stack: names
/// are short, and for them this beats a general implementation that
/// allocates its matrix.
fn small_distance<T: PartialEq + Copy>(a: &[T], b: &[T]) -> usize {
    debug_assert!(a.len() <= SMALL && b.len() <= SMALL);
    let mut row = [0u8; SMALL + 1];
    for (j, r) in row.iter_mut().enumerate().take(b.len() + 1) {
        *r = j as u8;
    }
    for (i, x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i as u8 + 1;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (up + 1).min(row[j] + 1).min(diag + u8::from(x != y));
            diag = up;
        }
    }
    row[b.len()] as usize
}

/// Characters of `s` on the stack, when there are at most [`SMALL`].
fn small_chars(s: &str) -> Option<([char; SMALL], usize)> {
    let mut out = ['\0'; SMALL];
    let mut n = 0;
    for c in s.chars() {
        *out.get_mut(n)? = c;
        n += 1;
    }
    Some((out, n))
}

/// [`similarity`] when it is at least `cutoff`, else `None`; the bound lets
/// far-apart strings stop early (most compared names are far apart).
pub fn similarity_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    if a == b {
        return Some(1.0);
    }
    if a.is_empty() || b.is_empty() {
        return (cutoff <= 0.0).then_some(0.0);
    }
    let ratio = |d: usize, max: usize| {
        let s = 1.0 - d as f64 / max as f64;
        (s >= cutoff).then_some(s)
    };
    if a.is_ascii() && b.is_ascii() {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        if x.len() <= SMALL && y.len() <= SMALL {
            return ratio(small_distance(x, y), x.len().max(y.len()));
        }
        let args = levenshtein::Args::default().score_cutoff(cutoff);
        return levenshtein::normalized_similarity_with_args(a.bytes(), b.bytes(), &args);
    }
    if let (Some((x, n)), Some((y, m))) = (small_chars(a), small_chars(b)) {
        return ratio(small_distance(&x[..n], &y[..m]), n.max(m));
    }
    let args = levenshtein::Args::default().score_cutoff(cutoff);
    levenshtein::normalized_similarity_with_args(a.chars(), b.chars(), &args)
}

/// Jaro–Winkler similarity: forgiving of typos late in a word, the usual
/// measure for given names and surnames.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_ascii() && b.is_ascii() {
        jw::similarity(a.bytes(), b.bytes())
    } else {
        jw::similarity(a.chars(), b.chars())
    }
}

/// Edit distance counting an adjacent transposition as one edit (ids, dates).
pub fn edit_distance(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() {
        osa::distance(a.bytes(), b.bytes())
    } else {
        osa::distance(a.chars(), b.chars())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_width_and_kana() {
        assert_eq!(fold("José  María"), "jose maria");
        assert_eq!(fold("MÜLLER-Lüdenscheidt"), "muller ludenscheidt");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("ＴＡＲＯ"), "taro");
        assert_eq!(fold("タナカ"), "たなか");
        assert_eq!(fold("ﾀﾅｶ"), "たなか");
        assert_eq!(fold("ガ"), "が");
        assert_eq!(fold("山田 太郎"), "山田 太郎");
        assert_eq!(fold("Ωμέγα"), "ωμεγα");
        assert_eq!(fold("  -- "), "");
    }

    #[test]
    fn dates_and_tokens() {
        assert_eq!(date_key("1990-2-9"), "19900209");
        assert_eq!(date_key("19/02/1990"), "19900219");
        assert_eq!(date_key("19900219"), "19900219");
        assert_eq!(sorted_tokens("tanaka hiro"), "hiro tanaka");
        assert_eq!(sorted_tokens(" c  b a "), "a b c");
        let many = "j i h g f e d c b a";
        assert_eq!(sorted_tokens(many), "a b c d e f g h i j");
        assert_eq!(date_key("1.2.3.4"), "1234");
        let mut s = String::from("x");
        fold_into("  Ana-María ", &mut s);
        assert_eq!(s, "xana maria");
    }

    #[test]
    fn similarity_counts_characters() {
        assert_eq!(similarity("abc", "abc"), 1.0);
        assert!((similarity("たなか", "たなが") - 2.0 / 3.0).abs() < 1e-9);
        assert!(similarity("katherine", "catherine") > 0.85);
        assert_eq!(similarity("", "x"), 0.0);
        for (a, b) in [
            ("katherine", "catherine"),
            ("たなか", "たなが"),
            ("ab", "xyzw"),
            ("jon", "john"),
        ] {
            let s = similarity(a, b);
            assert_eq!(
                similarity_at_least(a, b, 0.5),
                (s >= 0.5).then_some(s),
                "{a} {b}"
            );
        }
        assert_eq!(edit_distance("19900219", "19902019"), 1);
    }
}
