//! Region and line-type resolution the way libphonenumber does it
//! (`getRegionCodeForNumber`, `getNumberTypeHelper`), over the metadata the
//! `phonenumber` crate ships (as `table.rs` keeps it), each pattern matched by
//! `pattern.rs` (or compiled with `regex` when outside its dialect) the first
//! time a number needs it.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use regex::Regex;

use super::pattern::{Groups, Pattern};
use super::table::{self, DescMeta, RegionMeta};

use super::NumberType;

/// One metadata pattern, anchored at the start (and at the end when
/// `whole`). Matched by [`Pattern`], parsed the first time it is used (a
/// number touches a few of its region's patterns, and +1 alone has 25
/// regions of about ten patterns each); a pattern outside that dialect is
/// compiled with `regex` instead. One that does neither never matches.
#[derive(Clone)]
struct LazyRegex {
    src: String,
    whole: bool,
    fast: OnceLock<Option<Arc<Pattern>>>,
    re: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    fn new(src: &str, whole: bool) -> LazyRegex {
        LazyRegex {
            src: src.to_string(),
            whole,
            fast: OnceLock::new(),
            re: OnceLock::new(),
        }
    }

    fn fast(&self) -> Option<&Pattern> {
        self.fast
            .get_or_init(|| Pattern::parse(&self.src).map(Arc::new))
            .as_deref()
    }

    fn regex(&self) -> Option<&Regex> {
        self.re
            .get_or_init(|| {
                let src = &self.src;
                let end = if self.whole { "$" } else { "" };
                Regex::new(&format!("(?x)^(?:{src}){end}")).ok()
            })
            .as_ref()
    }

    fn is_match(&self, s: &str) -> bool {
        match self.fast() {
            Some(p) if self.whole => p.is_full_match(s),
            Some(p) => p.prefix_end(s).is_some(),
            None => self.regex().is_some_and(|r| r.is_match(s)),
        }
    }

    /// End of the match at the start of `s` (leftmost-first).
    fn find_end(&self, s: &str) -> Option<usize> {
        match self.fast() {
            Some(p) => p.prefix_end(s),
            None => self.regex()?.find(s).map(|m| m.end()),
        }
    }

    /// Groups of the match at the start of `s`; index 0 is the match.
    fn captures(&self, s: &str) -> Option<Groups> {
        match self.fast() {
            Some(p) => p.captures(s, self.whole),
            None => {
                let caps = self.regex()?.captures(s)?;
                Some(
                    caps.iter()
                        .map(|m| m.map(|m| (m.start(), m.end())))
                        .collect(),
                )
            }
        }
    }
}

#[derive(Clone)]
struct Desc {
    pattern: LazyRegex,
    lengths: Vec<u16>,
}

impl Desc {
    fn new(d: &DescMeta) -> Option<Desc> {
        Some(Desc {
            pattern: LazyRegex::new(d.pattern, true),
            lengths: d.lengths.clone(),
        })
    }

    fn matches(&self, national: &str) -> bool {
        // A single -1 (stored as an empty list or 0 here) means "no numbers of this type".
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.pattern.is_match(national)
    }
}

#[derive(Clone)]
pub(crate) struct RegionRules {
    pub id: &'static str,
    pub country_code: u16,
    idd: Option<LazyRegex>,
    npp: Option<LazyRegex>,
    /// libphonenumber's national prefix transform rule (`$1` for group 1).
    transform: Option<&'static str>,
    leading: Option<LazyRegex>,
    general: Option<Desc>,
    /// Possible national lengths of any type (the union libphonenumber's
    /// metadata build gives the general description; the XML leaves it out).
    lengths: Vec<u16>,
    /// Lengths of numbers dialled only inside their area.
    local_lengths: Vec<u16>,
    fixed: Option<Desc>,
    mobile: Option<Desc>,
    same_fixed_mobile: bool,
    others: Vec<(NumberType, Desc)>,
}

impl RegionRules {
    fn new(m: &RegionMeta) -> RegionRules {
        let d = |kind: &str| m.desc(kind).and_then(Desc::new);
        let fixed_src = m.desc("fixed_line").map(|x| x.pattern);
        let mobile_src = m.desc("mobile").map(|x| x.pattern);
        let npp_src = m
            .national_prefix_for_parsing
            .map(str::to_string)
            .or_else(|| m.national_prefix.map(regex::escape));
        let (lengths, local_lengths) = possible_lengths(m);
        RegionRules {
            id: m.id,
            country_code: m.code,
            idd: m.international_prefix.map(|r| LazyRegex::new(r, false)),
            npp: npp_src.map(|src| LazyRegex::new(&src, false)),
            transform: m.transform,
            leading: m.leading_digits.map(|r| LazyRegex::new(r, false)),
            general: d("general"),
            lengths,
            local_lengths,
            fixed: d("fixed_line"),
            mobile: d("mobile"),
            same_fixed_mobile: fixed_src.is_some() && fixed_src == mobile_src,
            others: [
                (NumberType::PremiumRate, "premium_rate"),
                (NumberType::TollFree, "toll_free"),
                (NumberType::SharedCost, "shared_cost"),
                (NumberType::Voip, "voip"),
                (NumberType::PersonalNumber, "personal_number"),
                (NumberType::Pager, "pager"),
                (NumberType::Uan, "uan"),
                (NumberType::Voicemail, "voicemail"),
            ]
            .into_iter()
            .filter_map(|(t, kind)| d(kind).map(|dd| (t, dd)))
            .collect(),
        }
    }

    fn general_matches(&self, national: &str) -> bool {
        self.general
            .as_ref()
            .is_some_and(|g| g.pattern.is_match(national))
    }

    /// Whether a national number of `len` digits may be kept after a prefix
    /// was stripped: libphonenumber's testNumberLength is neither too short,
    /// nor a local-only length, nor a length between the possible ones
    /// (too long is allowed; validation refuses it later).
    pub fn length_allows(&self, len: usize) -> bool {
        let len = u16::try_from(len).unwrap_or(u16::MAX);
        if self.local_lengths.contains(&len) {
            return false;
        }
        match (self.lengths.first(), self.lengths.last()) {
            (Some(_), Some(max)) => len > *max || self.lengths.contains(&len),
            _ => true,
        }
    }

    /// A national number typed with the country code but no `+` ("852 9123 4567"
    /// in HK): libphonenumber's maybeExtractCountryCode keeps the shorter form
    /// when only it fits the region's patterns, or the full one is too long.
    pub fn strip_own_country_code<'a>(&self, digits: &'a str) -> Option<Cow<'a, str>> {
        let rest = strip_code(digits, self.country_code)?;
        let potential = self.strip_national_prefix(rest);
        let too_long = self
            .lengths
            .last()
            .is_some_and(|max| digits.len() > usize::from(*max));
        ((!self.general_matches(digits) && self.general_matches(&potential)) || too_long)
            .then_some(potential)
    }

    /// Length of an international dialling prefix at the start of `digits`;
    /// none when a 0 follows it, since no country code starts with 0
    /// (libphonenumber's parsePrefixAsIdd).
    pub fn idd_len(&self, digits: &str) -> Option<usize> {
        self.idd
            .as_ref()
            .and_then(|r| r.find_end(digits))
            .filter(|n| *n > 0 && digits.as_bytes().get(*n) != Some(&b'0'))
    }

    /// libphonenumber's maybeStripNationalPrefixAndCarrierCode, including its
    /// rule to keep the digits when stripping would turn a valid-looking number
    /// into an invalid one (+7 800 ... must keep its 8).
    pub fn strip_national_prefix<'a>(&self, national: &'a str) -> Cow<'a, str> {
        let Some(npp) = &self.npp else {
            return Cow::Borrowed(national);
        };
        // Most numbers carry no national prefix: a plain search says so
        // without recording groups.
        if npp.find_end(national).is_none_or(|end| end == 0) {
            return Cow::Borrowed(national);
        }
        let Some(groups) = npp.captures(national) else {
            return Cow::Borrowed(national);
        };
        let end = groups.first().copied().flatten().map_or(0, |(_, e)| e);
        if end == 0 {
            return Cow::Borrowed(national);
        }
        let viable_original = self.general_matches(national);
        let text = |g: Option<(usize, usize)>| g.map_or("", |(a, b)| &national[a..b]);
        // The last group that took part in the match, if it matched text.
        let last_group = groups[1..]
            .iter()
            .rev()
            .find_map(|g| *g)
            .filter(|(a, b)| a != b);
        let candidate = match (self.transform, last_group) {
            (Some(rule), Some(_)) => {
                let mut t = String::new();
                let mut chars = rule.chars().peekable();
                while let Some(c) = chars.next() {
                    match chars.peek().and_then(|d| d.to_digit(10)) {
                        Some(i) if c == '$' => {
                            chars.next();
                            t.push_str(text(groups.get(i as usize).copied().flatten()));
                        }
                        _ => t.push(c),
                    }
                }
                t.push_str(&national[end..]);
                Cow::Owned(t)
            }
            _ => Cow::Borrowed(&national[end..]),
        };
        if viable_original && !self.general_matches(&candidate) {
            return Cow::Borrowed(national);
        }
        candidate
    }

    /// Whether the number has some line type (libphonenumber's validity),
    /// without telling which: the common types are tried first.
    pub fn is_valid(&self, national: &str) -> bool {
        match &self.general {
            Some(g) if g.pattern.is_match(national) => {}
            _ => return false,
        }
        self.fixed.as_ref().is_some_and(|d| d.matches(national))
            || (!self.same_fixed_mobile
                && self.mobile.as_ref().is_some_and(|d| d.matches(national)))
            || self.others.iter().any(|(_, d)| d.matches(national))
    }

    /// libphonenumber's getNumberTypeHelper.
    pub fn number_type(&self, national: &str) -> NumberType {
        match &self.general {
            Some(g) if g.pattern.is_match(national) => {}
            _ => return NumberType::Unknown,
        }
        for (t, d) in &self.others {
            if d.matches(national) {
                return *t;
            }
        }
        let fixed = self.fixed.as_ref().is_some_and(|d| d.matches(national));
        if fixed {
            if self.same_fixed_mobile || self.mobile.as_ref().is_some_and(|d| d.matches(national)) {
                return NumberType::FixedLineOrMobile;
            }
            return NumberType::FixedLine;
        }
        if !self.same_fixed_mobile && self.mobile.as_ref().is_some_and(|d| d.matches(national)) {
            return NumberType::Mobile;
        }
        NumberType::Unknown
    }
}

/// The possible and local-only national lengths of a region: the union over
/// its number types, sorted, local-only lengths that are also possible left
/// out (as libphonenumber's metadata build computes them).
fn possible_lengths(m: &RegionMeta) -> (Vec<u16>, Vec<u16>) {
    let all = &m.descs;
    let mut possible: Vec<u16> = all
        .iter()
        .flatten()
        .flat_map(|x| x.lengths.iter().copied())
        .collect();
    possible.sort_unstable();
    possible.dedup();
    let mut local: Vec<u16> = all
        .iter()
        .flatten()
        .flat_map(|x| x.local_lengths.iter().copied())
        .filter(|l| !possible.contains(l))
        .collect();
    local.sort_unstable();
    local.dedup();
    (possible, local)
}

pub(crate) type Rules = Arc<Vec<RegionRules>>;

/// Compiled rules per country calling code (1..=999), built once on first use
/// without a lock on the read path, so all cores parse in parallel.
fn slots() -> &'static [std::sync::OnceLock<Option<Rules>>] {
    static SLOTS: std::sync::OnceLock<Vec<std::sync::OnceLock<Option<Rules>>>> =
        std::sync::OnceLock::new();
    SLOTS.get_or_init(|| (0..1000).map(|_| std::sync::OnceLock::new()).collect())
}

/// Country calling codes run from 1 to 999.
const CODES: usize = 1000;

thread_local! {
    /// Per-thread copies: a `Regex` shared by threads contends on its internal
    /// cache pool, so each thread matches with its own clones. Indexed by
    /// code; `Some(None)` records a code that does not exist.
    static LOCAL: std::cell::RefCell<Vec<Option<Option<Rules>>>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// Regions of a country code, main country first, then alphabetical.
pub(crate) fn rules_for(code: u16) -> Option<Rules> {
    let at = usize::from(code);
    if at >= CODES {
        return None;
    }
    if let Some(known) = LOCAL.with(|l| l.borrow().get(at).cloned().flatten()) {
        return known;
    }
    let mine: Option<Rules> =
        shared_rules_for(code).map(|shared| Arc::new(shared.iter().cloned().collect()));
    LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        l.resize(CODES, None);
        l[at] = Some(mine.clone());
    });
    mine
}

fn shared_rules_for(code: u16) -> Option<Rules> {
    let slot = slots().get(code as usize)?;
    slot.get_or_init(|| {
        let mut metas = table::by_code(code);
        if metas.is_empty() {
            return None;
        }
        metas.sort_by(|a, b| (!a.main_for_code, a.id).cmp(&(!b.main_for_code, b.id)));
        Some(Arc::new(metas.iter().map(RegionRules::new).collect()))
    })
    .clone()
}

/// Rules of one region by ISO id.
pub(crate) fn rules_for_region(region: &str) -> Option<(Rules, usize)> {
    let code = table::code_of(region)?;
    let rules = rules_for(code)?;
    let idx = rules.iter().position(|r| r.id == region)?;
    Some((rules, idx))
}

/// Split `+` digits into country code and national number.
pub(crate) fn split_country_code(digits: &str) -> Option<(u16, &str)> {
    (1..=3).filter(|n| digits.len() > *n).find_map(|n| {
        let cc: u16 = digits[..n].parse().ok()?;
        rules_for(cc)?;
        Some((cc, &digits[n..]))
    })
}

/// `digits` without the country code `code` in front, if it is there.
fn strip_code(digits: &str, code: u16) -> Option<&str> {
    let len = match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    };
    (digits.get(..len)?.parse::<u16>().ok()? == code).then(|| &digits[len..])
}

/// Whether a number is valid in the region its digits select (as [`classify`]
/// decides, without the line type).
pub(crate) fn is_valid(code: u16, national: &str) -> bool {
    let Some(rules) = rules_for(code) else {
        return false;
    };
    for r in rules.iter() {
        if let Some(ld) = &r.leading {
            if ld.is_match(national) {
                return r.is_valid(national);
            }
            continue;
        }
        if r.is_valid(national) {
            return true;
        }
    }
    false
}

/// Region, type and validity as libphonenumber decides them.
pub(crate) fn classify(code: u16, national: &str) -> Option<(&'static str, NumberType, bool)> {
    let rules = rules_for(code)?;
    for r in rules.iter() {
        if let Some(ld) = &r.leading {
            if ld.is_match(national) {
                let t = r.number_type(national);
                return Some((r.id, t, t != NumberType::Unknown));
            }
            continue;
        }
        let t = r.number_type(national);
        if t != NumberType::Unknown {
            return Some((r.id, t, true));
        }
    }
    // Invalid for every region: report the main region, as a person would read it.
    rules.first().map(|r| (r.id, NumberType::Unknown, false))
}
