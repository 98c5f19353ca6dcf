//! The fast path of [`super::fold`]: one table lookup per character instead
//! of NFKC and Unicode case mapping. For every BMP code point the table holds
//! the folded character and the canonical combining class, or "slow" when the
//! character is not plain: NFKC quick check Maybe, a compatibility form that
//! is not a single starter, or a lower case of several characters. A text of
//! plain characters with combining classes in canonical order normalizes
//! character by character, so the two folds agree; any other text goes to the
//! reference fold. The table is built once, on first use (about 30 ms),
//! in blocks of 256 code points with identical blocks shared (a few hundred KB).

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::hanzi::simplified;

/// Entry flag: the character needs the reference fold.
const SLOW: u32 = 1 << 31;

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
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some((simplified(l), canonical_combining_class(c))),
        _ => None,
    }
}

struct Table {
    /// Block number per high byte of the code point.
    index: [u16; 256],
    /// Blocks of 256 entries: bits 0–15 the folded code point minus the code
    /// point (wrapping, so unchanged characters are 0 and blocks repeat),
    /// bits 16–23 the combining class, [`SLOW`].
    blocks: Vec<u32>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut index = [0u16; 256];
        let mut blocks = Vec::new();
        let mut seen: HashMap<Vec<u32>, u16> = HashMap::new();
        for (hi, slot) in index.iter_mut().enumerate() {
            let block: Vec<u32> = (0..256u32)
                .map(|lo| {
                    let cp = ((hi as u32) << 8) | lo;
                    match char::from_u32(cp).and_then(plain) {
                        Some((f, cc)) if (f as u32) <= 0xFFFF => {
                            ((f as u32).wrapping_sub(cp) & 0xFFFF) | (u32::from(cc) << 16)
                        }
                        _ => SLOW,
                    }
                })
                .collect();
            let next = seen.len() as u16;
            *slot = *seen.entry(block.clone()).or_insert_with(|| {
                blocks.extend_from_slice(&block);
                next
            });
        }
        Table { index, blocks }
    })
}

/// Fold `text` into `out` (appending) when every character is plain; `false`
/// (with `out` partly written) when the reference fold is needed.
pub(super) fn fold_plain(text: &str, out: &mut String) -> bool {
    let t = table();
    let mut last_cc = 0u8;
    for c in text.chars() {
        let cp = c as u32;
        if cp < 0x80 {
            out.push(c.to_ascii_lowercase());
            last_cc = 0;
            continue;
        }
        let (f, cc) = if cp <= 0xFFFF {
            let e = t.blocks[((t.index[(cp >> 8) as usize] as usize) << 8) | (cp & 0xFF) as usize];
            if e & SLOW != 0 {
                return false;
            }
            let Some(f) = char::from_u32(cp.wrapping_add(e) & 0xFFFF) else {
                return false;
            };
            (f, (e >> 16) as u8)
        } else {
            // Outside the BMP (emoji, rare CJK): the same facts, computed.
            match plain(c) {
                Some(x) => x,
                None => return false,
            }
        };
        // Out of canonical order: not NFKC as it stands (as the quick check says).
        if cc != 0 && last_cc > cc {
            return false;
        }
        out.push(f);
        last_cc = cc;
    }
    true
}
