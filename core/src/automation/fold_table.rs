//! The fast path of [`super::fold`]: one table lookup per character instead
//! of NFKC and Unicode case mapping. For every code point of planes 0–3 (the
//! BMP, emoji, supplementary CJK) a table holds the folded character and its
//! canonical combining class, or "slow" when the character is not plain: NFKC
//! quick check Maybe, a compatibility form that is not a single character, or
//! a lower case of several characters. A text of plain characters with
//! combining classes in canonical order normalizes character by character, so
//! the two folds agree; any other text goes to the reference fold.
//!
//! Accent folding has its own table: each character's NFKD with the Latin
//! diacritics (U+0300–U+036F) removed, when that is one character whose NFKC
//! quick check is Yes (nothing can compose with it), or "dropped" for the
//! diacritics themselves. Removing marks commutes with the canonical
//! reordering NFKD does, so checking the order of the kept characters is
//! enough.
//!
//! Each table is built on first use (about 30 ms), in blocks of 256 code
//! points with identical blocks shared (a few hundred KB).

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::hanzi::simplified;

/// Entry flag: the character needs the reference fold.
const SLOW: u32 = 1 << 31;
/// Entry flag (accent table): the character folds to nothing.
const DROP: u32 = 1 << 30;
/// Bits of the folded code point's offset from the code point.
const DELTA: u32 = 0x1F_FFFF;
/// Shift of the combining class.
const CC_SHIFT: u32 = 21;
/// Code points covered by the tables: planes 0–3.
const COVERED: u32 = 0x4_0000;

/// How `c` folds on its own when it is plain: (folded character, combining class).
fn plain(c: char) -> Option<(char, u8)> {
    let c = match is_nfkc_quick(std::iter::once(c)) {
        IsNormalized::Yes => c,
        // A compatibility character (full-width Ａ, ？, half-width ｿ) whose NFKC
        // form is one plain starter: neither side can compose with a neighbour
        // (only characters whose quick check is Maybe compose with the one
        // before), so folding it alone gives what normalizing the text would.
        IsNormalized::No => {
            let mut n = std::iter::once(c).nfkc();
            let (Some(x), None) = (n.next(), n.next()) else {
                return None;
            };
            let starter = canonical_combining_class(c) == 0 && canonical_combining_class(x) == 0;
            if !starter || is_nfkc_quick(std::iter::once(x)) != IsNormalized::Yes {
                return None;
            }
            x
        }
        IsNormalized::Maybe => return None,
    };
    lower(c)
}

/// The lower case of an NFKC character, when it is one character, with the
/// character's combining class.
fn lower(c: char) -> Option<(char, u8)> {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some((simplified(l), canonical_combining_class(c))),
        _ => None,
    }
}

fn is_diacritic(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// How `c` folds with accents removed: `Some(None)` when it folds to nothing.
///
/// Folding a text with accents removed is NFKC of its NFKD without the
/// diacritics, and NFKC of a decomposition is NFKC of what it decomposes: a
/// character that loses no diacritic folds as in the plain table.
fn accent(c: char) -> Option<Option<(char, u8)>> {
    if !std::iter::once(c).nfkd().any(is_diacritic) {
        return plain(c).map(Some);
    }
    let mut kept = std::iter::once(c).nfkd().filter(|x| !is_diacritic(*x));
    match (kept.next(), kept.next()) {
        (None, _) => Some(None),
        // One character that is its own NFKC and with which nothing composes
        // (every second half of a composition has quick check Maybe).
        (Some(x), None) if is_nfkc_quick(std::iter::once(x)) == IsNormalized::Yes => {
            lower(x).map(Some)
        }
        _ => None,
    }
}

fn entry(cp: u32, folded: Option<(char, u8)>) -> u32 {
    match folded {
        Some((f, cc)) => ((f as u32).wrapping_sub(cp) & DELTA) | (u32::from(cc) << CC_SHIFT),
        None => SLOW,
    }
}

struct Table {
    /// Block number per code point >> 8.
    index: Vec<u16>,
    /// Blocks of 256 entries: bits 0–20 the folded code point minus the code
    /// point (wrapping, so unchanged characters are 0 and blocks repeat),
    /// bits 21–28 the combining class, [`DROP`], [`SLOW`].
    blocks: Vec<u32>,
}

impl Table {
    fn build(f: impl Fn(char) -> u32) -> Table {
        let mut index = vec![0u16; (COVERED >> 8) as usize];
        let mut blocks = Vec::new();
        let mut seen: HashMap<Vec<u32>, u16> = HashMap::new();
        for (hi, slot) in index.iter_mut().enumerate() {
            let block: Vec<u32> = (0..256u32)
                .map(|lo| {
                    let cp = ((hi as u32) << 8) | lo;
                    char::from_u32(cp).map_or(SLOW, &f)
                })
                .collect();
            let next = seen.len() as u16;
            *slot = *seen.entry(block.clone()).or_insert_with(|| {
                blocks.extend_from_slice(&block);
                next
            });
        }
        Table { index, blocks }
    }

    #[inline]
    fn get(&self, cp: u32) -> u32 {
        self.blocks[((self.index[(cp >> 8) as usize] as usize) << 8) | (cp & 0xFF) as usize]
    }
}

fn table(accents: bool) -> &'static Table {
    static PLAIN: OnceLock<Table> = OnceLock::new();
    static ACCENTS: OnceLock<Table> = OnceLock::new();
    if accents {
        ACCENTS.get_or_init(|| {
            Table::build(|c| match accent(c) {
                Some(None) => DROP,
                Some(Some(x)) => entry(c as u32, Some(x)),
                None => SLOW,
            })
        })
    } else {
        PLAIN.get_or_init(|| Table::build(|c| entry(c as u32, plain(c))))
    }
}

/// Fold `text` into `out` (appending) when every character is plain; `false`
/// (with `out` partly written) when the reference fold is needed.
///
/// Characters that fold to themselves (most of any text) are copied as runs
/// of bytes; only the ones that change are decoded into `out` one by one.
pub(super) fn fold_fast(text: &str, accents: bool, out: &mut String) -> bool {
    let t = table(accents);
    let bytes = text.as_bytes();
    let mut last_cc = 0u32;
    // Start of the bytes not yet copied: they fold to themselves.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_uppercase() {
                out.push_str(&text[run..i]);
                out.push(char::from(b.to_ascii_lowercase()));
                run = i + 1;
            }
            last_cc = 0;
            i += 1;
            continue;
        }
        // `text` is UTF-8, so the lead byte gives the length and the
        // continuation bytes are there.
        let cont = |k: usize| u32::from(bytes[i + k] & 0x3F);
        let (w, cp) = match b {
            0xC0..=0xDF => (2, (u32::from(b & 0x1F) << 6) | cont(1)),
            0xE0..=0xEF => (3, (u32::from(b & 0x0F) << 12) | (cont(1) << 6) | cont(2)),
            _ => (
                4,
                (u32::from(b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            ),
        };
        let e = if cp < COVERED {
            t.get(cp)
        } else {
            let Some(c) = char::from_u32(cp) else {
                return false;
            };
            // Planes 4 and above (tags, variation selectors, private use):
            // rare, so computed.
            let folded = if accents {
                accent(c)
            } else {
                plain(c).map(Some)
            };
            match folded {
                Some(None) => DROP,
                Some(x) => entry(cp, x),
                None => SLOW,
            }
        };
        if e & SLOW != 0 {
            return false;
        }
        if e & DROP != 0 {
            out.push_str(&text[run..i]);
            i += w;
            run = i;
            continue;
        }
        let cc = (e >> CC_SHIFT) & 0xFF;
        // Out of canonical order: not NFKC as it stands (as the quick check says).
        if cc != 0 && last_cc > cc {
            return false;
        }
        last_cc = cc;
        let delta = e & DELTA;
        if delta != 0 {
            let Some(f) = char::from_u32(cp.wrapping_add(delta) & DELTA) else {
                return false;
            };
            out.push_str(&text[run..i]);
            out.push(f);
            run = i + w;
        }
        i += w;
    }
    out.push_str(&text[run..]);
    true
}
