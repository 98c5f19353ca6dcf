//! One pass over a message for every keyword of every rule: all keywords go
//! into one Aho-Corasick automaton per folding (accents kept / accents folded),
//! each pattern remembers which targets (rules, handoff phrases, sensitive
//! words) it belongs to and in which mode, and the mode is checked on each hit.
//! Regular expressions (opt-in) run as one `RegexSet` over the same folded text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::RegexSet;

use super::fold::{content_bounds, fold, fold_into, is_spaceless, is_word_char};
use super::rules::MatchMode;

/// One keyword of a target, as given to [`KeywordSet::build`].
#[derive(Clone, Debug)]
pub struct Entry {
    /// Keyword (or regex in [`MatchMode::Regex`]).
    pub keyword: String,
    /// Who owns it (a rule index, a phrase list, a word list).
    pub target: u32,
    /// Mode.
    pub mode: MatchMode,
    /// Fold accents on both sides.
    pub fold_accents: bool,
}

/// A hit: a target and the keyword (as written) that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Target.
    pub target: u32,
    /// The keyword as written in the rule.
    pub keyword: String,
}

#[derive(Clone, Copy, Debug)]
struct Owner {
    target: u32,
    mode: MatchMode,
    /// Index into `keywords` (the keyword as written).
    keyword: u32,
}

#[derive(Debug, Default)]
struct Lane {
    ac: Option<AhoCorasick>,
    /// Per pattern: folded pattern's first/last char spaceless, and owners.
    patterns: Vec<(bool, bool, Vec<Owner>)>,
    regex: Option<RegexSet>,
    regex_owners: Vec<Owner>,
}

/// Keywords compiled for single-pass matching.
#[derive(Debug, Default)]
pub struct KeywordSet {
    plain: Lane,
    accents: Lane,
    keywords: Vec<String>,
}

impl KeywordSet {
    /// Compile; a bad regex or a keyword that folds to nothing is an error
    /// naming the keyword.
    pub fn build(entries: impl IntoIterator<Item = Entry>) -> Result<KeywordSet, String> {
        let mut set = KeywordSet::default();
        let mut pats: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        let mut owners: [Vec<Vec<Owner>>; 2] = [Vec::new(), Vec::new()];
        let mut index: [std::collections::HashMap<String, usize>; 2] = Default::default();
        let mut rx: [(Vec<String>, Vec<Owner>); 2] = Default::default();
        for e in entries {
            let lane = usize::from(e.fold_accents);
            let kw_idx = set.keywords.len() as u32;
            set.keywords.push(e.keyword.clone());
            let owner = Owner {
                target: e.target,
                mode: e.mode,
                keyword: kw_idx,
            };
            if e.mode == MatchMode::Regex {
                regex::Regex::new(&e.keyword)
                    .map_err(|err| format!("bad regex {:?}: {err}", e.keyword))?;
                // Folded text is lower case, so patterns are matched case-insensitively.
                rx[lane].0.push(format!("(?i:{})", e.keyword));
                rx[lane].1.push(owner);
                continue;
            }
            let folded = fold(e.keyword.trim(), e.fold_accents);
            if folded.is_empty() {
                return Err(format!("keyword {:?} is empty", e.keyword));
            }
            let i = *index[lane].entry(folded.clone()).or_insert_with(|| {
                pats[lane].push(folded);
                owners[lane].push(Vec::new());
                pats[lane].len() - 1
            });
            owners[lane][i].push(owner);
        }
        for (lane, l) in [&mut set.plain, &mut set.accents].into_iter().enumerate() {
            if !pats[lane].is_empty() {
                l.ac = Some(
                    AhoCorasick::builder()
                        .match_kind(MatchKind::Standard)
                        // A full DFA: a few MB for thousands of keywords, and one
                        // table lookup per byte on every message.
                        .kind(Some(AhoCorasickKind::DFA))
                        .build(&pats[lane])
                        .map_err(|e| format!("keyword automaton: {e}"))?,
                );
                l.patterns = pats[lane]
                    .iter()
                    .zip(std::mem::take(&mut owners[lane]))
                    .map(|(p, o)| {
                        let first = p.chars().next().is_some_and(is_spaceless);
                        let last = p.chars().next_back().is_some_and(is_spaceless);
                        (first, last, o)
                    })
                    .collect();
            }
            let (rs, ro) = std::mem::take(&mut rx[lane]);
            if !rs.is_empty() {
                l.regex = Some(RegexSet::new(&rs).map_err(|e| format!("regex set: {e}"))?);
                l.regex_owners = ro;
            }
        }
        Ok(set)
    }

    /// Whether nothing was compiled.
    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// Every target with at least one matching keyword, each once, in target order.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        thread_local! {
            // The folded text, reused across calls: no allocation per message.
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let mut hits: Vec<(u32, u32)> = Vec::new();
        BUF.with_borrow_mut(|t| {
            for (accents, lane) in [(false, &self.plain), (true, &self.accents)] {
                if lane.ac.is_none() && lane.regex.is_none() {
                    continue;
                }
                fold_into(text, accents, t);
                lane.scan(t, &mut hits);
            }
        });
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();
        hits.dedup_by_key(|h| h.0);
        hits.into_iter()
            .map(|(target, kw)| Hit {
                target,
                keyword: self.keywords[kw as usize].clone(),
            })
            .collect()
    }
}

impl Lane {
    fn scan(&self, t: &str, hits: &mut Vec<(u32, u32)>) {
        let mut bounds: Option<(usize, usize)> = None;
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(t) {
                let (first_sl, last_sl, owners) = &self.patterns[m.pattern().as_usize()];
                let (s, e) = (m.start(), m.end());
                let left = *first_sl || t[..s].chars().next_back().is_none_or(|c| !is_word_char(c));
                let right = *last_sl || t[e..].chars().next().is_none_or(|c| !is_word_char(c));
                for o in owners {
                    let ok = match o.mode {
                        MatchMode::Contains => true,
                        MatchMode::Word => left && right,
                        MatchMode::Exact => {
                            *bounds.get_or_insert_with(|| content_bounds(t)) == (s, e)
                        }
                        MatchMode::StartsWith => {
                            bounds.get_or_insert_with(|| content_bounds(t)).0 == s && right
                        }
                        MatchMode::Regex => false,
                    };
                    if ok {
                        hits.push((o.target, o.keyword));
                    }
                }
            }
        }
        if let Some(rs) = &self.regex {
            for i in rs.matches(t).iter() {
                let o = self.regex_owners[i];
                hits.push((o.target, o.keyword));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(mode: MatchMode, accents: bool, kws: &[&str]) -> KeywordSet {
        KeywordSet::build(kws.iter().enumerate().map(|(i, k)| Entry {
            keyword: k.to_string(),
            target: i as u32,
            mode,
            fold_accents: accents,
        }))
        .unwrap()
    }

    fn hit(s: &KeywordSet, text: &str) -> Vec<String> {
        s.find(text).into_iter().map(|h| h.keyword).collect()
    }

    #[test]
    fn contains_matches_inside_words() {
        let s = set(MatchMode::Contains, false, &["ship"]);
        assert_eq!(hit(&s, "Is SHIPPING free?"), ["ship"]);
        assert!(hit(&s, "no match").is_empty());
    }

    #[test]
    fn word_mode_respects_latin_and_cyrillic_boundaries() {
        let s = set(MatchMode::Word, false, &["price", "цена", "frete"]);
        assert_eq!(hit(&s, "What's the price?"), ["price"]);
        assert!(hit(&s, "priceless art").is_empty());
        assert!(hit(&s, "the unprice").is_empty());
        assert_eq!(hit(&s, "Какая ЦЕНА?"), ["цена"]);
        assert!(hit(&s, "бесценами").is_empty());
        assert_eq!(hit(&s, "qual o frete, por favor"), ["frete"]);
        assert!(hit(&s, "fretes").is_empty());
        // A CJK neighbour is a boundary for a Latin keyword.
        assert_eq!(hit(&s, "price是多少"), ["price"]);
    }

    #[test]
    fn word_mode_matches_inside_cjk_and_thai_text() {
        let s = set(
            MatchMode::Word,
            false,
            &["配送", "运费", "運費", "ราคา", "料金", "배송"],
        );
        // Mixed-width Japanese: full-width digits, half-width katakana around the keyword.
        assert_eq!(hit(&s, "ｿｳﾘｮｳと配送は１２３円ですか"), ["配送"]);
        // Simplified and traditional Chinese, no spaces; a keyword in either
        // form matches text in the other.
        assert_eq!(hit(&s, "请问运费多少钱"), ["运费", "運費"]);
        assert_eq!(hit(&s, "請問運費多少錢"), ["运费", "運費"]);
        // Thai has no spaces between words.
        assert_eq!(hit(&s, "สินค้านี้ราคาเท่าไหร่ครับ"), ["ราคา"]);
        // Korean particle attached.
        assert_eq!(hit(&s, "배송비는 얼마예요"), ["배송"]);
    }

    #[test]
    fn half_width_keyword_matches_full_width_text() {
        let s = set(MatchMode::Word, false, &["ｿｳﾘｮｳ", "SALE"]);
        assert_eq!(hit(&s, "ソウリョウは？"), ["ｿｳﾘｮｳ"]);
        assert_eq!(hit(&s, "ＳＡＬＥ中"), ["SALE"]);
    }

    #[test]
    fn accents_kept_unless_folded() {
        let kept = set(MatchMode::Word, false, &["envío", "ação"]);
        assert_eq!(hit(&kept, "¿Cuánto cuesta el ENVÍO?"), ["envío"]);
        assert!(hit(&kept, "cuanto cuesta el envio").is_empty());
        let folded = set(MatchMode::Word, true, &["envío", "ação", "promocao"]);
        assert_eq!(hit(&folded, "cuanto cuesta el envio"), ["envío"]);
        assert_eq!(
            hit(&folded, "Tem alguma AÇÃO ou promoção?"),
            ["ação", "promocao"]
        );
    }

    #[test]
    fn exact_and_starts_with() {
        let ex = set(MatchMode::Exact, false, &["hola", "价格"]);
        assert_eq!(hit(&ex, "  ¡Hola!  "), ["hola"]);
        assert!(hit(&ex, "hola amigo").is_empty());
        assert_eq!(hit(&ex, "价格？"), ["价格"]);
        let sw = set(MatchMode::StartsWith, false, &["menu", "价格"]);
        assert_eq!(hit(&sw, "Menu please"), ["menu"]);
        assert!(hit(&sw, "menus please").is_empty());
        assert!(hit(&sw, "show the menu").is_empty());
        assert_eq!(hit(&sw, "价格是多少"), ["价格"]);
    }

    #[test]
    fn regex_is_opt_in_and_checked() {
        let s = set(MatchMode::Regex, false, &[r"order\s*#?\d{4,}"]);
        assert_eq!(hit(&s, "Where is ORDER #12345?").len(), 1);
        assert!(hit(&s, "order 12").is_empty());
        let bad = KeywordSet::build([Entry {
            keyword: "(".into(),
            target: 0,
            mode: MatchMode::Regex,
            fold_accents: false,
        }]);
        assert!(bad.unwrap_err().contains("bad regex"));
    }

    #[test]
    fn one_target_reported_once_and_shared_keywords() {
        let s = KeywordSet::build(
            [("price", 0), ("cost", 0), ("price", 1)].map(|(k, t)| Entry {
                keyword: k.into(),
                target: t,
                mode: MatchMode::Word,
                fold_accents: false,
            }),
        )
        .unwrap();
        let h = s.find("price and cost");
        assert_eq!(h.iter().map(|h| h.target).collect::<Vec<_>>(), [0, 1]);
    }
}
