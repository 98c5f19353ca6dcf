//! Text folding shared by keywords and messages, and the script facts the
//! matcher needs (which characters belong to scripts written without spaces).
//!
//! Keywords and message text go through the same function, so a keyword
//! written in full-width or upper case matches the message however the
//! customer typed it.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Fold `text` for matching: Unicode NFKC (full-/half-width forms, compatibility
/// characters), then lower case; with `accents`, Latin/Greek/Cyrillic diacritics
/// are removed too ("envío" → "envio").
///
/// ASCII text takes a fast path: NFKC is the identity there.
pub fn fold(text: &str, accents: bool) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len() + 8);
    // Most messages are already in NFKC (no full-width or compatibility forms):
    // the quick check is a table lookup per character, far cheaper than
    // normalizing, and then only the case needs folding.
    if !accents && is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            push_lower(&mut out, c);
        }
        return out;
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
            push_lower(&mut out, c);
        }
    } else {
        for c in text.nfkc() {
            push_lower(&mut out, c);
        }
    }
    out
}

fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
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
