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

use unicode_normalization::UnicodeNormalization;

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

fn stop_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
}

#[derive(Clone, Copy, PartialEq, Eq)]
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
    if HAN_STOP_CHARS.contains(c) {
        return Class::Sep;
    }
    match c as u32 {
        0x3040..=0x309F => Class::Hiragana,
        0x30A0..=0x30FF | 0x31F0..=0x31FF => Class::Katakana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Class::Han,
        // Combining marks and Indic/Thai blocks: part of words even when not alphanumeric.
        0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E00..=0x0E7F => Class::Word,
        _ if c.is_alphanumeric() || c == '\'' => Class::Word,
        _ => Class::Sep,
    }
}

fn keep_word(w: &str) -> bool {
    let w = w.trim_matches('\'');
    w.chars().count() >= 2
        && !w.chars().all(|c| c.is_numeric() || c == '\'')
        && !stop_words().contains(w)
}

/// The hot-word tokens of a text, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut run_class = Class::Sep;
    let mut flush = |run: &mut Vec<char>, cls: Class| {
        match cls {
            Class::Word | Class::Katakana => {
                let w: String = run.iter().collect();
                let w = w.trim_matches('\'').to_string();
                if keep_word(&w) {
                    out.push(w);
                }
            }
            Class::Han => {
                if run.len() == 1 {
                    // A lone Han character carries little on its own.
                } else {
                    for pair in run.windows(2) {
                        let b: String = pair.iter().collect();
                        if !stop_words().contains(b.as_str()) {
                            out.push(b);
                        }
                    }
                }
            }
            Class::Hiragana | Class::Sep => {}
        }
        run.clear();
    };
    for c in norm.chars() {
        let cls = class(c);
        if cls != run_class {
            flush(&mut run, run_class);
            run_class = cls;
        }
        if cls != Class::Sep {
            run.push(c);
        }
    }
    flush(&mut run, run_class);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
