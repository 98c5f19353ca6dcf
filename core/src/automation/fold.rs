//! Text folding shared by keywords and messages, and the script facts the
//! matcher needs (which characters belong to scripts written without spaces).
//!
//! Keywords and message text go through the same function, so a keyword
//! written in full-width or upper case matches the message however the
//! customer typed it.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::fold_table::fold_fast;
use super::hanzi::simplified;

/// Fold `text` for matching: Unicode NFKC (full-/half-width forms, compatibility
/// characters), then lower case, then traditional Chinese characters to their
/// simplified form; with `accents`, Latin/Greek/Cyrillic diacritics are removed
/// too ("envío" → "envio").
pub fn fold(text: &str, accents: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    fold_into(text, accents, &mut out);
    out
}

/// [`fold`] into a reused buffer (cleared first): matching folds every
/// message, and a buffer per thread saves an allocation each time.
pub fn fold_into(text: &str, accents: bool, out: &mut String) {
    out.clear();
    // ASCII: NFKC is the identity, there are no accents nor Chinese.
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    // Most messages are plain (already NFKC, or only precomposed accents to
    // remove): one table lookup per character.
    if fold_fast(text, accents, out) {
        return;
    }
    out.clear();
    fold_reference(text, accents, out);
}

/// The definition of folding, character by character through NFKC and Unicode
/// case mapping; [`fold_into`] must give the same result (tested over every
/// BMP code point and random strings).
pub(super) fn fold_reference(text: &str, accents: bool, out: &mut String) {
    if !accents && is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            push_lower(out, c);
        }
        return;
    }
    if accents {
        // Decompose, drop the combining diacritics of alphabetic scripts, recompose.
        // Only U+0300–U+036F is dropped: Japanese voicing marks (U+3099/U+309A) are
        // combining marks too, and removing them would turn が into か.
        let stripped: String = text
            .nfkd()
            .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
            .collect();
        for c in stripped.nfkc() {
            push_lower(out, c);
        }
    } else {
        for c in text.nfkc() {
            push_lower(out, c);
        }
    }
}

fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase().map(simplified));
    }
}

/// Whether `c` belongs to a script written without spaces between words (Han,
/// Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) or whose particles attach to
/// the word (Hangul). Whole-word matching cannot ask for boundaries there.
pub fn is_spaceless(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x1100..=0x11FF    // Hangul Jamo
        | 0x2E80..=0x2FDF    // CJK radicals
        | 0x3005..=0x3007    // 々 〆 〇
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0xFF66..=0xFF9F    // half-width Katakana (NFKC maps these away)
        | 0x20000..=0x3FFFF  // CJK extensions B+
    )
}

/// A character that makes a word continue: a letter or digit of a spaced script.
pub fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() || c == '_') && !is_spaceless(c)
}

/// Byte range of `text` without surrounding whitespace and punctuation, for
/// `exact` and `starts_with` ("Price?" is exactly "price").
pub fn content_bounds(text: &str) -> (usize, usize) {
    let trim = |c: char| c.is_whitespace() || is_punct(c);
    let start = text.len() - text.trim_start_matches(trim).len();
    let end = text.trim_end_matches(trim).len().max(start);
    (start, end)
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '¿' | '¡'
                | '。'
                | '、'
                | '！'
                | '？'
                | '…'
                | '「'
                | '」'
                | '『'
                | '』'
                | '～'
                | '〜'
                | '・'
                | '«'
                | '»'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '؟'
                | '।'
        )
        || (!c.is_alphanumeric() && !c.is_whitespace() && c as u32 >= 0x2000 && c as u32 <= 0x2BFF)
}

#[cfg(test)]
mod tests {
    use super::super::fold_table;
    use super::*;

    #[test]
    fn width_and_case_fold_the_same_way() {
        assert_eq!(fold("ＰＲＩＣＥ", false), "price");
        // Half-width katakana become full-width.
        assert_eq!(fold("ｿｳﾘｮｳ", false), "ソウリョウ");
        assert_eq!(fold("Envío", false), "envío");
        assert_eq!(fold("Envío", true), "envio");
        assert_eq!(fold("AÇÃO", true), "acao");
        // Voicing marks survive accent folding.
        assert_eq!(fold("ガイド", true), "ガイド");
    }

    fn both(text: &str, accents: bool) -> (String, String) {
        let mut slow = String::new();
        fold_reference(text, accents, &mut slow);
        (fold(text, accents), slow)
    }

    #[test]
    fn fast_fold_equals_reference_for_every_bmp_code_point() {
        for cp in 0..=0xFFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue; // surrogates
            };
            // Alone, between letters, and before a combining mark and a
            // character that composes with the previous one.
            for text in [
                format!("{c}"),
                format!("É{c}x"),
                format!("{c}\u{0301}"),
                format!("\u{0E48}{c}\u{0E38}"),
            ] {
                for accents in [false, true] {
                    let (fast, slow) = both(&text, accents);
                    assert_eq!(fast, slow, "U+{cp:04X} in {text:?} (accents {accents})");
                }
            }
        }
    }

    #[test]
    fn fast_fold_equals_reference_for_random_strings() {
        // Pools that exercise every branch: ASCII, accented Latin, combining
        // marks (in and out of canonical order), Greek, Cyrillic, Thai tone
        // marks, full-/half-width forms, Hangul jamo, CJK (traditional and
        // simplified), compatibility characters, emoji and supplementary CJK.
        const POOLS: &[&str] = &[
            "aZ09 ?!.,",
            "ÁéíÕçñÜßİ",
            "\u{0301}\u{0300}\u{0323}\u{0327}\u{031B}",
            "ΣσςΆΐ",
            "ЖжЁёЙ",
            "ราค\u{0E48}\u{0E38}\u{0E49}",
            "ＡＢｃ１２ｿｳﾘｮｳﾞ",
            "\u{1100}\u{1161}\u{11A8}가",
            "運費价格配送貨货",
            "ﬁ㎏①™½ſ",
            "😀👍🏽\u{1F1E7}\u{1F1F7}",
            "𠀀𪚥𝐀",
        ];
        let pools: Vec<Vec<char>> = POOLS.iter().map(|p| p.chars().collect()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..50_000 {
            let len = 1 + next(12);
            let text: String = (0..len)
                .map(|_| {
                    let p = &pools[next(pools.len())];
                    p[next(p.len())]
                })
                .collect();
            for accents in [false, true] {
                let (fast, slow) = both(&text, accents);
                assert_eq!(fast, slow, "{text:?} (accents {accents})");
            }
        }
    }

    #[test]
    fn plain_text_takes_the_table_path() {
        // Without this the equality tests above could pass with the fast path
        // never taken.
        for text in [
            "Olá, ¿cuánto cuesta el envío? Цена ΤΙΜΉ",
            "ราคาเท่าไหร่ครับ 運費 配送はいつ？😀",
        ] {
            let mut out = String::new();
            assert!(fold_table::fold_fast(text, false, &mut out), "{text}");
            assert_eq!(out, fold(text, false));
        }
        let mut out = String::new();
        assert!(fold_table::fold_fast("ＰＲＩＣＥ？ ｿｳﾘｮｳ", false, &mut out));
        assert_eq!(out, "price? ソウリョウ");
        for slow in ["e\u{0301}", "ｶﾞ", "ﬁ", "İ"] {
            assert!(
                !fold_table::fold_fast(slow, false, &mut String::new()),
                "{slow}"
            );
        }
    }

    #[test]
    fn fast_fold_equals_reference_outside_the_bmp() {
        // Planes 1-3 come from the tables too (emoji, supplementary CJK);
        // planes 14-16 are computed.
        for cp in (0x1_0000..0x4_0000u32).chain(0xE_0000..0xE_0200) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for text in [format!("{c}"), format!("É{c}x"), format!("{c}\u{0301}")] {
                for accents in [false, true] {
                    let (fast, slow) = both(&text, accents);
                    assert_eq!(fast, slow, "U+{cp:04X} in {text:?} (accents {accents})");
                }
            }
        }
    }

    #[test]
    fn accented_text_takes_the_table_path_when_accents_are_folded() {
        // Precomposed accents, Thai tone marks, Hangul, CJK, emoji and
        // full-width forms: no reference fold needed with accents removed.
        for (text, folded) in [
            (
                "Tem alguma AÇÃO ou promoção?",
                "tem alguma acao ou promocao?",
            ),
            ("¿Cuánto cuesta el ENVÍO?", "¿cuanto cuesta el envio?"),
            ("İstanbul ΤΙΜΉ Ёлка", "istanbul τιμη елка"),
            ("ส่งของ 배송비 運費 ＳＡＬＥ 😀", "ส่งของ 배송비 运费 sale 😀"),
            ("e\u{0301}", "e"),
        ] {
            let mut out = String::new();
            assert!(fold_table::fold_fast(text, true, &mut out), "{text}");
            assert_eq!(out, folded);
            assert_eq!(fold(text, true), folded);
        }
        // A composing mark outside the Latin diacritics still needs NFKC.
        assert!(!fold_table::fold_fast("ｶﾞ", true, &mut String::new()));
    }

    #[test]
    fn traditional_and_simplified_chinese_fold_alike() {
        assert_eq!(fold("請問運費多少錢", false), fold("请问运费多少钱", false));
        assert_eq!(fold("價格", true), "价格");
    }

    #[test]
    fn scripts_without_spaces() {
        assert!(is_spaceless('配'));
        assert!(is_spaceless('ส'));
        assert!(is_spaceless('カ'));
        assert!(is_spaceless('상'));
        assert!(!is_spaceless('a'));
        assert!(!is_spaceless('ж'));
        assert!(is_word_char('ж'));
        assert!(!is_word_char('配'));
    }

    #[test]
    fn bounds_skip_punctuation() {
        let t = "¿precio?";
        let (s, e) = content_bounds(t);
        assert_eq!(&t[s..e], "precio");
        let t = "  价格。";
        let (s, e) = content_bounds(t);
        assert_eq!(&t[s..e], "价格");
        assert_eq!(content_bounds("?!"), (2, 2));
    }
}
