//! Hot-word tokens in any script.
//!
//! Text is NFKC-normalised (full-width letters become ASCII) and lowercased.
//! Runs of letters, digits and combining marks are words; words of one
//! character, numbers and stop words of English, Spanish, Portuguese, French,
//! German, Italian and Indonesian are dropped. Chinese and Japanese have no
//! spaces: Han runs are cut into **character bigrams** (no segmenter crate,
//! so any vocabulary works and nothing is downloaded); Katakana runs (mostly
//! loanwords such as セール) are kept whole; Hiragana runs (particles and
//! inflections) are dropped; common Chinese function characters (的, 了, 是,
//! 我, 你, 吗, ...) cut Han runs like spaces, and a few very common Chinese
//! bigrams are stop words.

use std::collections::HashSet;
use std::sync::OnceLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

const STOP_WORDS: &[&str] = &[
    // English
    "the", "and", "for", "you", "your", "are", "is", "it", "to", "of", "in", "on", "at", "be",
    "this", "that", "with", "have", "has", "was", "were", "not", "but", "can", "do", "does", "my",
    "me", "we", "our", "an", "or", "if", "so", "as", "by", "from", "will", "would", "there",
    "what", "when", "how", "hi", "hello", "please", "thanks", "thank", "ok", "yes", "no", "too",
    "also", "just", "its", "i'm", "am", "he", "she", "they", "them", "his", "her", "all", "any",
    // Spanish
    "el", "la", "los", "las", "de", "del", "que", "en", "un", "una", "y", "es", "por", "con",
    "para", "se", "lo", "mi", "su", "al", "como", "pero", "más", "mas", "si", "ya", "hola",
    "gracias", "muy", "está", "esta", "este", "hay", // Portuguese
    "o", "os", "as", "um", "uma", "do", "da", "dos", "das", "em", "no", "na", "nos", "nas", "com",
    "não", "nao", "sim", "obrigado", "obrigada", "olá", "ola", "eu", "você", "voce", "meu",
    "minha", "é", "tem", "pra", // French
    "le", "les", "des", "du", "et", "est", "pas", "je", "vous", "nous", "il", "elle", "ce", "ça",
    "sur", "avec", "pour", "dans", "une", "bonjour", "merci", "oui", "non", // German
    "der", "die", "das", "und", "ist", "ich", "sie", "nicht", "mit", "ein", "eine", "zu", "den",
    "von", "auf", "für", "fur", "es", "wir", "hallo", "danke", "ja", "nein", // Italian
    "il", "di", "che", "è", "per", "non", "sono", "ciao", "grazie", // Indonesian
    "yang", "dan", "di", "ini", "itu", "saya", "ada", "dengan", "untuk", "tidak", "apa", "terima",
    "kasih", // Chinese bigrams that carry no topic
    "我们", "你们", "他们", "这个", "那个", "什么", "没有", "可以", "就是", "因为", "所以", "如果",
    "还是", "已经", "一个", "谢谢", "你好", "请问",
];

fn stop_words() -> &'static FastSet {
    static SET: OnceLock<FastSet> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
}

type FastSet = HashSet<&'static str, foldhash::fast::RandomState>;

/// Discriminants are the table's class bits (see [`Class::from_bits`]).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Class {
    Sep,
    Word,
    Han,
    Katakana,
    Hiragana,
}

/// Chinese function characters that separate words like spaces do.
const HAN_STOP_CHARS: &str = "的了是在我你他她它们吗呢吧啊和也都就很这那有没不要会能个";

fn class(c: char) -> Class {
    if c.is_ascii() {
        // The common case, decided without the tables below.
        return if c.is_ascii_alphanumeric() || c == '\'' {
            Class::Word
        } else {
            Class::Sep
        };
    }
    // Every function character is in the main CJK block.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) && HAN_STOP_CHARS.contains(c) {
        return Class::Sep;
    }
    match c as u32 {
        0x3040..=0x309F => Class::Hiragana,
        0x30A0..=0x30FF | 0x31F0..=0x31FF => Class::Katakana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Class::Han,
        // Combining marks and Indic/Thai blocks: part of words even when not alphanumeric.
        0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E00..=0x0E7F => Class::Word,
        _ if c.is_alphanumeric() => Class::Word,
        _ => Class::Sep,
    }
}

fn keep_word(w: &str) -> bool {
    w.chars().nth(1).is_some() && !w.chars().all(|c| c.is_numeric() || c == '\'')
}

/// The text NFKC-normalised and lowercased, written into `out`.
fn normalise(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // NFKC leaves ASCII as it is.
        out.push_str(text);
        out.make_ascii_lowercase();
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    } else {
        out.extend(text.nfkc().flat_map(char::to_lowercase));
    }
}

/// Per Basic Multilingual Plane character: its [`Class`] in the low bits, and
/// [`STABLE`] when neither NFKC nor lowercasing changes it in any context
/// (NFKC quick check "yes", combining class 0, its own lowercase). A text
/// of stable characters and ASCII is its own normal form once ASCII is
/// lowercased, so most non-Latin messages (CJK, Arabic, Cyrillic, accented
/// lowercase Latin) skip the normaliser and its copy; one lookup per
/// character gives both answers.
fn bmp_table() -> &'static [u8; 0x10000] {
    static TABLE: OnceLock<Box<[u8; 0x10000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u8; 0x10000]);
        for (cp, slot) in t.iter_mut().enumerate() {
            let Some(c) = char::from_u32(cp as u32) else {
                continue;
            };
            let mut lower = c.to_lowercase();
            let own_lower = lower.next() == Some(c) && lower.next().is_none();
            let stable = own_lower
                && unicode_normalization::char::canonical_combining_class(c) == 0
                && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
            *slot = class(c) as u8 | if stable { STABLE } else { 0 };
        }
        t
    })
}

const STABLE: u8 = 8;

/// Full-width forms of ASCII `!`..`~`: NFKC gives the ASCII character.
const FULL_WIDTH: std::ops::RangeInclusive<char> = '\u{FF01}'..='\u{FF5E}';

/// The class of a character of normalised text.
fn class_of(table: &[u8; 0x10000], c: char) -> Class {
    match table.get(c as usize) {
        Some(&b) => Class::from_bits(b & 7),
        None => class(c),
    }
}

impl Class {
    fn from_bits(b: u8) -> Class {
        match b {
            1 => Class::Word,
            2 => Class::Han,
            3 => Class::Katakana,
            4 => Class::Hiragana,
            _ => Class::Sep,
        }
    }
}

/// Call `f` with each hot-word token of `text`, in order. Tokens are
/// borrowed from the text or from a normalised copy of it.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    candidates(text, &mut String::new(), |w| {
        if !stop_words().contains(w) {
            f(w)
        }
    });
}

/// The tokens before stop words are removed; `scratch` holds the normalised
/// text when it differs from `text` (kept by the caller across texts).
fn candidates(text: &str, scratch: &mut String, mut f: impl FnMut(&str)) {
    if text.is_ascii() {
        return ascii_candidates(text, scratch, f);
    }
    let table = bmp_table();
    // `rewrite`: ASCII capitals or full-width ASCII (CJK text's ？！，).
    let (mut stable, mut rewrite) = (true, false);
    for c in text.chars() {
        if c.is_ascii() {
            rewrite |= c.is_ascii_uppercase();
        } else if FULL_WIDTH.contains(&c) {
            rewrite = true;
        } else if table.get(c as usize).is_none_or(|&b| b & STABLE == 0) {
            stable = false;
            break;
        }
    }
    let norm: &str = match (stable, rewrite) {
        (true, false) => text,
        (true, true) => {
            // NFKC maps full-width ASCII to ASCII, one character each, and
            // nothing next to it here composes (every other character is
            // stable).
            scratch.clear();
            scratch.extend(text.chars().map(|c| match c {
                c if FULL_WIDTH.contains(&c) => {
                    char::from((c as u32 - 0xFEE0) as u8).to_ascii_lowercase()
                }
                c => c.to_ascii_lowercase(),
            }));
            scratch
        }
        (false, _) => {
            normalise(text, scratch);
            scratch
        }
    };
    let mut emit = |run: &str, cls: Class| match cls {
        Class::Word | Class::Katakana => {
            let w = run.trim_matches('\'');
            if keep_word(w) {
                f(w);
            }
        }
        // A lone Han character carries little on its own: bigrams only.
        Class::Han => {
            let mut prev: Option<usize> = None;
            for (i, c) in run.char_indices() {
                if let Some(p) = prev {
                    f(&run[p..i + c.len_utf8()]);
                }
                prev = Some(i);
            }
        }
        Class::Hiragana | Class::Sep => {}
    };
    let mut run_start = 0;
    let mut run_class = Class::Sep;
    for (i, c) in norm.char_indices() {
        let cls = class_of(table, c);
        if cls != run_class {
            emit(&norm[run_start..i], run_class);
            run_class = cls;
            run_start = i;
        }
    }
    emit(&norm[run_start..], run_class);
}

/// Per ASCII byte: part of a word, a capital, a letter.
const IN_WORD: u8 = 1;
const CAPITAL: u8 = 2;
const LETTER: u8 = 4;
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            IN_WORD | CAPITAL | LETTER
        } else if c.is_ascii_lowercase() {
            IN_WORD | LETTER
        } else if c.is_ascii_digit() || c == b'\'' {
            IN_WORD
        } else {
            0
        };
        b += 1;
    }
    t
};

/// ASCII text (most messages): NFKC changes nothing, so words are read
/// straight from the bytes (one table lookup per byte tells a word's
/// extent, whether it has a letter and whether it has capitals) and only a
/// word with capitals is copied.
fn ascii_candidates(text: &str, lower: &mut String, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let class = |i: usize| ASCII_CLASS[usize::from(bytes[i] & 0x7F)];
    let mut i = 0;
    while i < bytes.len() {
        if class(i) & IN_WORD == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0;
        while i < bytes.len() {
            let k = class(i);
            if k & IN_WORD == 0 {
                break;
            }
            seen |= k;
            i += 1;
        }
        let w = text[start..i].trim_matches('\'');
        // Two characters at least, not only digits (apostrophes are trimmed).
        if w.len() < 2 || seen & LETTER == 0 {
            continue;
        }
        let w = if seen & CAPITAL != 0 {
            lower.clear();
            lower.push_str(w);
            lower.make_ascii_lowercase();
            lower.as_str()
        } else {
            w
        };
        f(w);
    }
}

/// Hot-word counts. A stop word, once met, is kept with the mark [`STOP`]
/// instead of a count: meeting it again then costs one lookup, like a word
/// already counted, instead of a miss and a look in the stop list.
#[derive(Clone, Debug, Default)]
pub(crate) struct WordCounts(FastMap<String, u64>);

/// The mark of a stop word in [`WordCounts`].
const STOP: u64 = u64::MAX;

impl WordCounts {
    /// Count each hot-word token of `text` (a string is allocated only for a
    /// word not met before; `scratch` is reused across texts).
    pub(crate) fn count(&mut self, text: &str, scratch: &mut String) {
        let counts = &mut self.0;
        candidates(text, scratch, |w| match counts.get_mut(w) {
            Some(n) => {
                if *n != STOP {
                    *n += 1
                }
            }
            None => {
                let n = if stop_words().contains(w) { STOP } else { 1 };
                counts.insert(w.to_string(), n);
            }
        });
    }

    /// Add `other`'s counts.
    pub(crate) fn merge(&mut self, other: WordCounts) {
        for (w, n) in other.0 {
            if n != STOP {
                *self.0.entry(w).or_default() += n;
            }
        }
    }

    /// Every counted word (stop words are not counted) and its count.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0
            .iter()
            .filter(|(_, n)| **n != STOP)
            .map(|(w, n)| (w.as_str(), *n))
    }
}

type FastMap<K, V> = super::names::FastMap<K, V>;

/// The hot-word tokens of a text, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |w| out.push(w.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn ref_stop_words() -> &'static HashSet<&'static str> {
        static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
        SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum RClass {
        Sep,
        Word,
        Han,
        Katakana,
        Hiragana,
    }

    /// Chinese function characters that separate words like spaces do.
    const R_HAN_STOP_CHARS: &str = "的了是在我你他她它们吗呢吧啊和也都就很这那有没不要会能个";

    fn rclass(c: char) -> RClass {
        if R_HAN_STOP_CHARS.contains(c) {
            return RClass::Sep;
        }
        match c as u32 {
            0x3040..=0x309F => RClass::Hiragana,
            0x30A0..=0x30FF | 0x31F0..=0x31FF => RClass::Katakana,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => RClass::Han,
            // Combining marks and Indic/Thai blocks: part of words even when not alphanumeric.
            0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E00..=0x0E7F => RClass::Word,
            _ if c.is_alphanumeric() || c == '\'' => RClass::Word,
            _ => RClass::Sep,
        }
    }

    fn r_keep_word(w: &str) -> bool {
        let w = w.trim_matches('\'');
        w.chars().count() >= 2
            && !w.chars().all(|c| c.is_numeric() || c == '\'')
            && !ref_stop_words().contains(w)
    }

    /// The first implementation (a char vector per run, a string per token):
    /// the reference the fast one must equal.
    fn reference_tokens(text: &str) -> Vec<String> {
        let norm: String = text.nfkc().flat_map(char::to_lowercase).collect();
        let mut out = Vec::new();
        let mut run: Vec<char> = Vec::new();
        let mut run_class = RClass::Sep;
        let mut flush = |run: &mut Vec<char>, cls: RClass| {
            match cls {
                RClass::Word | RClass::Katakana => {
                    let w: String = run.iter().collect();
                    let w = w.trim_matches('\'').to_string();
                    if r_keep_word(&w) {
                        out.push(w);
                    }
                }
                RClass::Han => {
                    if run.len() == 1 {
                        // A lone Han character carries little on its own.
                    } else {
                        for pair in run.windows(2) {
                            let b: String = pair.iter().collect();
                            if !ref_stop_words().contains(b.as_str()) {
                                out.push(b);
                            }
                        }
                    }
                }
                RClass::Hiragana | RClass::Sep => {}
            }
            run.clear();
        };
        for c in norm.chars() {
            let cls = rclass(c);
            if cls != run_class {
                flush(&mut run, run_class);
                run_class = cls;
            }
            if cls != RClass::Sep {
                run.push(c);
            }
        }
        flush(&mut run, run_class);
        out
    }

    /// Mixed-script texts, random and hand-picked, tokenised by both.
    #[test]
    fn equals_the_reference_on_mixed_scripts() {
        let pieces = [
            "Hola",
            "ENVÍO",
            "envío",
            "the",
            "SALE",
            " ",
            "  ",
            ", ",
            "!",
            "?",
            "'",
            "don't",
            "'quoted'",
            "12",
            "a1",
            "我们的",
            "订单",
            "没有到",
            "セール",
            "は",
            "店舗",
            "でも",
            "使",
            "ｅｘｔ",
            "ＳＡＬＥ",
            "１２３",
            "доставка",
            "पैसे",
            "वापस",
            "สวัสดี",
            "é",
            "e\u{301}",
            "ß",
            "İstanbul",
            "ﬁ",
            "①",
            "谢谢",
            "你好",
            "x",
            "\u{3000}",
            "\u{20000}\u{20001}",
            "카카오",
            "مرحبا",
            "ΑΘΗΝΑ",
            "\t",
            "\n",
            "dž",
            "Ǆ",
            // Around the table's fast path: capitals, compatibility forms,
            // combining marks and composition exclusions in otherwise
            // stable text.
            "ÉCOLE",
            "Ñandú",
            "ｾｰﾙ",
            "か\u{3099}",
            "ー",
            "\u{a0}",
            "²",
            "مَرحبا",
            "\u{958}",
            "क\u{93c}",
            "\u{1100}\u{1161}",
            "Ω",
            "\u{2126}",
            "Москва",
            "？",
            "！",
            "，",
            "。",
            "Ａ\u{301}",
            "ｚ",
            "～",
        ];
        let mut x: u64 = 42;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut texts: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
        for _ in 0..20_000 {
            let len = next(12);
            texts.push((0..len).map(|_| pieces[next(pieces.len())]).collect());
        }
        for t in &texts {
            assert_eq!(tokens(t), reference_tokens(t), "{t:?}");
        }
    }

    #[test]
    fn stop_words_are_marked_not_counted_and_merge_drops_them() {
        let (mut a, mut b, mut scratch) =
            (WordCounts::default(), WordCounts::default(), String::new());
        for t in ["The SALE, the sale", "the the", "¿Hola? ＳＡＬＥ"] {
            a.count(t, &mut scratch);
        }
        b.count("sale and the refund", &mut scratch);
        a.merge(b);
        let mut got: Vec<(&str, u64)> = a.iter().collect();
        got.sort();
        assert_eq!(got, [("refund", 1), ("sale", 4)]);
    }

    #[test]
    fn latin_words_lowercased_without_stop_words_or_numbers() {
        assert_eq!(
            tokens("Is the SALE valid in store? Order 12345, ORDER!"),
            ["sale", "valid", "store", "order", "order"]
        );
        assert_eq!(
            tokens("¿Hola, el envío está retrasado?"),
            ["envío", "retrasado"]
        );
    }

    #[test]
    fn chinese_bigrams_and_japanese_katakana_words() {
        assert_eq!(tokens("我们的订单没有到"), ["订单"]);
        assert_eq!(
            tokens("セールは店舗でも使えますか？"),
            ["セール", "店舗"],
            "hiragana dropped, lone 使 dropped"
        );
    }

    #[test]
    fn full_width_and_other_scripts() {
        assert_eq!(tokens("ＳＡＬＥ"), ["sale"]);
        assert_eq!(
            tokens("доставка задерживается"),
            ["доставка", "задерживается"]
        );
        assert_eq!(tokens("पैसे वापस"), ["पैसे", "वापस"]);
    }
}
