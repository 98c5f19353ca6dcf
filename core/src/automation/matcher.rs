//! One pass over a message for every keyword of every rule: all keywords go
//! into one Aho-Corasick DFA per folding (accents kept / accents folded),
//! each pattern remembers which targets (rules, handoff phrases, sensitive
//! words) it belongs to and in which mode, and the mode is checked on each hit.
//! Regular expressions (opt-in) run as one `RegexSet` over the same folded text.
//!
//! The DFA is driven byte by byte here rather than through the crate's
//! overlapping iterator: one table lookup per byte, and a branch only on the
//! (rare) match states. Most patterns need no boundary check at all (every
//! owner matches `contains`, or the keyword starts and ends in a script
//! without spaces), which is decided once when the set is built.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
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

/// A folded pattern: its length and what a hit of it must check.
#[derive(Clone, Copy, Debug)]
struct Pattern {
    /// Length in bytes of the folded pattern.
    len: u32,
    /// `owners[first..end]` are its owners.
    first: u32,
    end: u32,
    /// The folded pattern's first / last character is in a script without
    /// spaces: a word boundary holds there whatever the neighbour.
    first_spaceless: bool,
    last_spaceless: bool,
    /// Every owner matches wherever the pattern occurs (contains, or word
    /// mode with both ends spaceless): a hit needs no check.
    free: bool,
}

#[derive(Debug, Default)]
struct Lane {
    dfa: Option<DFA>,
    patterns: Vec<Pattern>,
    owners: Vec<Owner>,
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

thread_local! {
    // The folded text and the raw hits, reused across calls: no allocation
    // per message.
    static SCRATCH: std::cell::RefCell<(String, Vec<(u32, u32)>)> =
        const { std::cell::RefCell::new((String::new(), Vec::new())) };
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
                l.dfa = Some(
                    DFA::builder()
                        .match_kind(MatchKind::Standard)
                        .start_kind(StartKind::Unanchored)
                        // Keywords in many scripts share few rare bytes: a
                        // prefilter would only make the start state special.
                        .prefilter(false)
                        .build(&pats[lane])
                        .map_err(|e| format!("keyword automaton: {e}"))?,
                );
                for (p, o) in pats[lane].iter().zip(std::mem::take(&mut owners[lane])) {
                    let first_spaceless = p.chars().next().is_some_and(is_spaceless);
                    let last_spaceless = p.chars().next_back().is_some_and(is_spaceless);
                    let free = o.iter().all(|o| match o.mode {
                        MatchMode::Contains => true,
                        MatchMode::Word => first_spaceless && last_spaceless,
                        _ => false,
                    });
                    let first = l.owners.len() as u32;
                    l.owners.extend(o);
                    l.patterns.push(Pattern {
                        len: p.len() as u32,
                        first,
                        end: l.owners.len() as u32,
                        first_spaceless,
                        last_spaceless,
                        free,
                    });
                }
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
        SCRATCH.with_borrow_mut(|(t, hits)| {
            self.raw_hits(text, t, hits);
            hits.iter()
                .map(|&(target, kw)| Hit {
                    target,
                    keyword: self.keywords[kw as usize].clone(),
                })
                .collect()
        })
    }

    /// [`find`](Self::find) without the keywords: the matching targets, each
    /// once, in increasing order, written into `out` (cleared first). Nothing
    /// is allocated once `out` has grown to the number of targets hit.
    pub fn find_targets(&self, text: &str, out: &mut Vec<u32>) {
        out.clear();
        SCRATCH.with_borrow_mut(|(t, hits)| {
            self.raw_hits(text, t, hits);
            out.extend(hits.iter().map(|h| h.0));
        });
    }

    /// (target, keyword) of every target hit, one per target (its smallest
    /// keyword index), sorted by target.
    fn raw_hits(&self, text: &str, t: &mut String, hits: &mut Vec<(u32, u32)>) {
        hits.clear();
        for (accents, lane) in [(false, &self.plain), (true, &self.accents)] {
            if lane.dfa.is_none() && lane.regex.is_none() {
                continue;
            }
            fold_into(text, accents, t);
            lane.scan(t, hits);
        }
        if hits.len() > 1 {
            hits.sort_unstable();
            hits.dedup_by_key(|h| h.0);
        }
    }
}

/// The character before byte `s` of `t` continues a word.
fn word_before(t: &str, s: usize) -> bool {
    match t.as_bytes()[..s].last() {
        None => false,
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric() || b == b'_',
        Some(_) => t[..s].chars().next_back().is_some_and(is_word_char),
    }
}

/// The character at byte `e` of `t` continues a word.
fn word_at(t: &str, e: usize) -> bool {
    match t.as_bytes().get(e) {
        None => false,
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric() || b == b'_',
        Some(_) => t[e..].chars().next().is_some_and(is_word_char),
    }
}

impl Lane {
    fn scan(&self, t: &str, hits: &mut Vec<(u32, u32)>) {
        if let Some(dfa) = &self.dfa {
            let mut bounds: Option<(usize, usize)> = None;
            // An unanchored start state exists: the DFA was built with one.
            if let Ok(mut sid) = dfa.start_state(Anchored::No) {
                for (i, &b) in t.as_bytes().iter().enumerate() {
                    sid = dfa.next_state(Anchored::No, sid, b);
                    if !dfa.is_special(sid) {
                        continue;
                    }
                    if dfa.is_dead(sid) {
                        break;
                    }
                    if dfa.is_match(sid) {
                        for k in 0..dfa.match_len(sid) {
                            let p = dfa.match_pattern(sid, k).as_usize();
                            self.hit(t, &self.patterns[p], i + 1, &mut bounds, hits);
                        }
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

    /// Check the owners of pattern `p` that occurs in `t` ending at byte `e`.
    fn hit(
        &self,
        t: &str,
        p: &Pattern,
        e: usize,
        bounds: &mut Option<(usize, usize)>,
        hits: &mut Vec<(u32, u32)>,
    ) {
        let owners = &self.owners[p.first as usize..p.end as usize];
        if p.free {
            hits.extend(owners.iter().map(|o| (o.target, o.keyword)));
            return;
        }
        let s = e - p.len as usize;
        let left = p.first_spaceless || !word_before(t, s);
        let right = p.last_spaceless || !word_at(t, e);
        for o in owners {
            let ok = match o.mode {
                MatchMode::Contains => true,
                MatchMode::Word => left && right,
                MatchMode::Exact => *bounds.get_or_insert_with(|| content_bounds(t)) == (s, e),
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

    /// The definition, one keyword at a time: every occurrence of the folded
    /// keyword in the folded text (overlapping ones too), checked for its mode.
    fn reference(entries: &[Entry], text: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for e in entries {
            let t = fold(text, e.fold_accents);
            let k = fold(e.keyword.trim(), e.fold_accents);
            let ks = k.chars().next().is_some_and(is_spaceless);
            let ke = k.chars().next_back().is_some_and(is_spaceless);
            let (bs, be) = content_bounds(&t);
            let found = (0..t.len())
                .filter(|s| t.is_char_boundary(*s) && t[*s..].starts_with(&k))
                .any(|s| {
                    let e2 = s + k.len();
                    let left = ks || t[..s].chars().next_back().is_none_or(|c| !is_word_char(c));
                    let right = ke || t[e2..].chars().next().is_none_or(|c| !is_word_char(c));
                    match e.mode {
                        MatchMode::Contains => true,
                        MatchMode::Word => left && right,
                        MatchMode::Exact => (s, e2) == (bs, be),
                        MatchMode::StartsWith => s == bs && right,
                        MatchMode::Regex => false,
                    }
                });
            if found {
                out.push(e.target);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn single_pass_equals_the_per_keyword_definition_on_mixed_scripts() {
        // Syllables that overlap and repeat (so keywords occur inside words
        // and overlap each other), in cases, widths and scripts that fold.
        const SYL: &[&str] = &[
            "a",
            "ab",
            "ba",
            "ção",
            "ÇÃO",
            "en",
            "ví",
            "vi",
            "ЦЕ",
            "на",
            "τι",
            "μή",
            "配",
            "送",
            "運",
            "费",
            "ราคา",
            "ส่ง",
            "ｿｳ",
            "ソウ",
            "ＳＡ",
            "le",
            "배송",
            "😀",
            "e\u{0301}",
        ];
        const SEP: &[&str] = &[" ", "", "?", " ¿", "。", "_", "1"];
        let modes = [
            MatchMode::Contains,
            MatchMode::Word,
            MatchMode::Exact,
            MatchMode::StartsWith,
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut hits = 0;
        for round in 0..300 {
            let entries: Vec<Entry> = (0..20)
                .map(|i| Entry {
                    keyword: (0..1 + next(3)).map(|_| SYL[next(SYL.len())]).collect(),
                    target: (i % 7) as u32,
                    mode: modes[next(modes.len())],
                    fold_accents: next(2) == 0,
                })
                .collect();
            let set = KeywordSet::build(entries.clone()).unwrap();
            let mut targets = Vec::new();
            for _ in 0..40 {
                let text: String = (0..1 + next(8))
                    .map(|_| format!("{}{}", SYL[next(SYL.len())], SEP[next(SEP.len())]))
                    .collect();
                let want = reference(&entries, &text);
                let got: Vec<u32> = set.find(&text).iter().map(|h| h.target).collect();
                assert_eq!(got, want, "round {round}: {text:?} with {entries:?}");
                set.find_targets(&text, &mut targets);
                assert_eq!(targets, want, "{text:?}");
                hits += usize::from(!want.is_empty());
            }
        }
        // The comparison means something only if many texts match.
        assert!(hits > 3_000, "{hits}");
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
