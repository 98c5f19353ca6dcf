//! Traditional → simplified Chinese, one character at a time: keywords and
//! text both fold to the simplified form, so "运费" matches "運費" and the
//! other way round. The table is OpenCC's character table (see `data/NOTICE`);
//! where it offers several simplified candidates the first one is used.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("data/ts_characters.txt");

fn table() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::with_capacity(4_200);
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(from), Some(to)) = (cols.next(), cols.next()) else {
                continue;
            };
            let mut f = from.chars();
            let mut t = to.split(' ').next().unwrap_or("").chars();
            if let (Some(f), None, Some(t), None) = (f.next(), f.next(), t.next(), t.next())
                && f != t
            {
                map.insert(f, t);
            }
        }
        // Some simplified forms are themselves keys (薴 → 苧 → 苎): follow
        // the chain so one lookup gives the final form.
        let keys: Vec<char> = map.keys().copied().collect();
        for k in keys {
            let mut v = map[&k];
            for _ in 0..4 {
                match map.get(&v) {
                    Some(&w) if w != v && w != k => v = w,
                    _ => break,
                }
            }
            map.insert(k, v);
        }
        map
    })
}

/// The simplified form of `c` (itself when it has none). Applied once: the
/// table maps straight to the final simplified form.
pub(super) fn simplified(c: char) -> char {
    // Everything the table maps is at or above CJK extension A.
    if (c as u32) < 0x3400 {
        return c;
    }
    table().get(&c).copied().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_traditional_characters_map_to_simplified() {
        for (t, s) in [
            ('運', '运'),
            ('費', '费'),
            ('價', '价'),
            ('貨', '货'),
            ('買', '买'),
        ] {
            assert_eq!(simplified(t), s, "{t}");
            assert_eq!(simplified(s), s, "{s}");
        }
        assert_eq!(simplified('a'), 'a');
        assert_eq!(simplified('配'), '配');
        assert!(table().len() > 3_000, "the whole table is loaded");
    }

    #[test]
    fn the_table_maps_to_final_forms() {
        // No chains: a simplified target is never itself a traditional key,
        // so folding twice gives the same text as folding once.
        for (&t, &s) in table() {
            assert_eq!(simplified(s), s, "{t} → {s} → {}", simplified(s));
        }
    }
}
