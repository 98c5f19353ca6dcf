//! Blocking: only records that share a key under some rule are compared, so a
//! million contacts cost millions of comparisons, not half a trillion. A pair
//! is generated once, by the first rule that joins it; blocks larger than the
//! cap are compared within a sorted window instead of all-against-all.

use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;

use super::compare::DedupeRecord;

/// A blocking rule: which key a record falls under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockRule {
    /// Same E.164 (or wa_id).
    Phone,
    /// Same email address.
    Email,
    /// Same email mailbox at any domain.
    EmailLocal,
    /// Same BSUID.
    Bsuid,
    /// Same external id.
    ExternalId,
    /// Same date of birth.
    DateOfBirth,
    /// Surname prefix + given-name initial.
    SurnamePrefixGivenInitial,
    /// Given-name prefix + surname initial.
    GivenPrefixSurnameInitial,
    /// Same sorted name tokens (catches swapped names and full-name only records).
    SortedName,
    /// Postcode + given-name initial.
    PostcodeGivenInitial,
    /// Postcode + date-of-birth year: the other half of a corrupted name.
    PostcodeBirthYear,
    /// City + name prefix.
    CityNamePrefix,
}

/// Every rule, in the order pairs are attributed to them.
pub const ALL_RULES: [BlockRule; 12] = [
    BlockRule::Phone,
    BlockRule::Email,
    BlockRule::Bsuid,
    BlockRule::ExternalId,
    BlockRule::EmailLocal,
    BlockRule::SortedName,
    BlockRule::DateOfBirth,
    BlockRule::SurnamePrefixGivenInitial,
    BlockRule::GivenPrefixSurnameInitial,
    BlockRule::PostcodeGivenInitial,
    BlockRule::PostcodeBirthYear,
    BlockRule::CityNamePrefix,
];

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn first_token(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

fn last_token(s: &str) -> &str {
    s.rsplit(' ').next().unwrap_or("")
}

/// Given name and surname of a record, or the first and last tokens of a
/// full name when the record has no split name.
fn name_parts(r: &DedupeRecord) -> (&str, &str) {
    if r.split_name {
        (&r.given, &r.surname)
    } else {
        (first_token(&r.full), last_token(&r.full))
    }
}

fn hash_parts(rule: BlockRule, parts: &[&str]) -> u64 {
    if parts.iter().any(|p| p.is_empty()) {
        return 0;
    }
    let mut h = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    (rule as u8).hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    // 0 means "no key"; move a real zero hash out of the way.
    h.finish().max(1)
}

impl BlockRule {
    /// The record's key under this rule, or 0 when it has none.
    pub fn key(self, r: &DedupeRecord) -> u64 {
        let (g, s) = name_parts(r);
        match self {
            BlockRule::Phone => {
                if !r.phone.is_empty() {
                    hash_parts(self, &[&r.phone])
                } else {
                    hash_parts(self, &[&r.wa_id])
                }
            }
            BlockRule::Email => hash_parts(self, &[&r.email]),
            BlockRule::EmailLocal => {
                if r.email_local.chars().count() >= 5 {
                    hash_parts(self, &[&r.email_local])
                } else {
                    0
                }
            }
            BlockRule::Bsuid => hash_parts(self, &[&r.bsuid]),
            BlockRule::ExternalId => hash_parts(self, &[&r.external_id]),
            BlockRule::DateOfBirth => hash_parts(self, &[&r.dob]),
            BlockRule::SurnamePrefixGivenInitial => hash_parts(self, &[prefix(s, 3), prefix(g, 1)]),
            BlockRule::GivenPrefixSurnameInitial => hash_parts(self, &[prefix(g, 3), prefix(s, 1)]),
            BlockRule::SortedName => {
                if r.full.contains(' ') {
                    hash_parts(self, &[&r.full])
                } else {
                    0
                }
            }
            BlockRule::PostcodeGivenInitial => hash_parts(self, &[&r.postcode, prefix(g, 1)]),
            BlockRule::PostcodeBirthYear => {
                hash_parts(self, &[&r.postcode, r.dob.get(..4).unwrap_or("")])
            }
            BlockRule::CityNamePrefix => hash_parts(self, &[&r.city, prefix(s, 2)]),
        }
    }
}

/// Keys of every record under every rule: `keys[rule][record]`.
pub struct BlockKeys {
    /// Rules in attribution order (those some record has a key for).
    pub rules: Vec<BlockRule>,
    /// Keys per rule.
    pub keys: Vec<Vec<u64>>,
}

impl BlockKeys {
    /// Compute keys for the rules that give at least one record a key.
    pub fn build(records: &[DedupeRecord]) -> Self {
        let mut rules = Vec::new();
        let mut keys = Vec::new();
        for rule in ALL_RULES {
            let k: Vec<u64> = records.par_iter().map(|r| rule.key(r)).collect();
            if k.iter().any(|&x| x != 0) {
                rules.push(rule);
                keys.push(k);
            }
        }
        BlockKeys { rules, keys }
    }

    /// Whether a rule before `rule` already joins `a` and `b`.
    #[inline]
    fn joined_earlier(&self, rule: usize, a: u32, b: u32) -> bool {
        self.keys[..rule].iter().any(|k| {
            let (x, y) = (k[a as usize], k[b as usize]);
            x != 0 && x == y
        })
    }
}

/// Statistics of candidate generation.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct BlockingStats {
    /// Pairs compared.
    pub candidate_pairs: u64,
    /// Blocks over the cap, compared within a window.
    pub windowed_blocks: u64,
}

/// Generate every candidate pair once and hand each to `visit` (in parallel);
/// results of `visit` that are `Some` are collected.
pub fn candidates<T: Send>(
    records: &[DedupeRecord],
    keys: &BlockKeys,
    max_block: usize,
    window: usize,
    visit: impl Fn(u32, u32) -> Option<T> + Sync,
) -> (Vec<T>, BlockingStats) {
    let mut out = Vec::new();
    let mut stats = BlockingStats::default();
    for (ri, k) in keys.keys.iter().enumerate() {
        let mut idx: Vec<(u64, u32)> = k
            .iter()
            .enumerate()
            .filter(|(_, key)| **key != 0)
            .map(|(i, key)| (*key, i as u32))
            .collect();
        idx.par_sort_unstable();
        let results: Vec<(Vec<T>, u64, u64)> = idx
            .par_chunk_by(|x, y| x.0 == y.0)
            .filter(|g| g.len() > 1)
            .map(|g| {
                let mut found = Vec::new();
                let mut compared = 0u64;
                let mut consider = |a: u32, b: u32| {
                    let (a, b) = if a < b { (a, b) } else { (b, a) };
                    if keys.joined_earlier(ri, a, b) {
                        return;
                    }
                    compared += 1;
                    if let Some(t) = visit(a, b) {
                        found.push(t);
                    }
                };
                if g.len() <= max_block {
                    for i in 0..g.len() {
                        for j in i + 1..g.len() {
                            consider(g[i].1, g[j].1);
                        }
                    }
                    (found, compared, 0)
                } else {
                    // Too big for all pairs: sort by name and compare neighbours.
                    let mut m: Vec<u32> = g.iter().map(|x| x.1).collect();
                    m.sort_unstable_by(|&a, &b| {
                        records[a as usize].full.cmp(&records[b as usize].full)
                    });
                    for i in 0..m.len() {
                        for j in i + 1..(i + 1 + window).min(m.len()) {
                            consider(m[i], m[j]);
                        }
                    }
                    (found, compared, 1)
                }
            })
            .collect();
        for (found, compared, windowed) in results {
            out.extend(found);
            stats.candidate_pairs += compared;
            stats.windowed_blocks += windowed;
        }
    }
    (out, stats)
}
