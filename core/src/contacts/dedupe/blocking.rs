//! Blocking: only records that share a key under some rule are compared, so a
//! million contacts cost millions of comparisons, not half a trillion. A pair
//! is generated once, by the first rule that joins it; blocks larger than the
//! cap are compared within a sorted window instead of all-against-all.

use crate::mem::prefetch_ptr;
use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;

use super::compare::{DedupeRecord, F};

/// A blocking rule: which key a record falls under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockRule {
    /// Same phone digits (E.164, wa_id or the number as typed).
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
    if r.split_name() {
        (r.get(F::Given), r.get(F::Surname))
    } else {
        (first_token(r.get(F::Full)), last_token(r.get(F::Full)))
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
            // The number's last digits, however typed and whether or not it
            // validated: every equal E.164 and wa_id shares them, and so do
            // the forms of one number that differ only before them.
            BlockRule::Phone => hash_parts(self, &[r.get(F::PhoneTail)]),
            BlockRule::Email => hash_parts(self, &[r.get(F::Email)]),
            BlockRule::EmailLocal => {
                if r.get(F::EmailLocal).chars().count() >= 5 {
                    hash_parts(self, &[r.get(F::EmailLocal)])
                } else {
                    0
                }
            }
            BlockRule::Bsuid => hash_parts(self, &[r.get(F::Bsuid)]),
            BlockRule::ExternalId => hash_parts(self, &[r.get(F::ExternalId)]),
            BlockRule::DateOfBirth => hash_parts(self, &[r.get(F::Dob)]),
            BlockRule::SurnamePrefixGivenInitial => hash_parts(self, &[prefix(s, 3), prefix(g, 1)]),
            BlockRule::GivenPrefixSurnameInitial => hash_parts(self, &[prefix(g, 3), prefix(s, 1)]),
            BlockRule::SortedName => {
                if r.get(F::Full).contains(' ') {
                    hash_parts(self, &[r.get(F::Full)])
                } else {
                    0
                }
            }
            BlockRule::PostcodeGivenInitial => {
                hash_parts(self, &[r.get(F::Postcode), prefix(g, 1)])
            }
            BlockRule::PostcodeBirthYear => hash_parts(
                self,
                &[r.get(F::Postcode), r.get(F::Dob).get(..4).unwrap_or("")],
            ),
            BlockRule::CityNamePrefix => hash_parts(self, &[r.get(F::City), prefix(s, 2)]),
        }
    }
}

/// Keys of every record under every rule, laid out record by record
/// (`by_record[record * rules + rule]`, 0 = no key).
pub struct BlockKeys {
    /// Rules in attribution order (those some record has a key for).
    pub rules: Vec<BlockRule>,
    by_record: Vec<u64>,
    /// Sort key by name (its first bytes, so the order is the name's order).
    name_sort: Vec<u64>,
    /// Sort key by the other fields: city, then date of birth.
    other_sort: Vec<u64>,
}

fn name_sort_key(r: &DedupeRecord) -> u64 {
    let mut b = [0u8; 8];
    let full = r.get(F::Full).as_bytes();
    let n = full.len().min(8);
    b[..n].copy_from_slice(&full[..n]);
    u64::from_be_bytes(b)
}

fn other_sort_key(r: &DedupeRecord) -> u64 {
    let city = if r.has(F::City) {
        foldhash::fast::FixedState::with_seed(7).hash_one(r.get(F::City)) as u32
    } else {
        0
    };
    let dob: u32 = r.get(F::Dob).parse().unwrap_or(0);
    ((city as u64) << 32) | dob as u64
}

impl BlockKeys {
    /// Compute keys for the rules that give at least one record a key.
    pub fn build(records: &[DedupeRecord]) -> Self {
        // Every rule's key of a record in one visit: the record is read once,
        // not once per rule.
        let all = ALL_RULES.len();
        let mut keys = vec![0u64; records.len() * all];
        keys.par_chunks_mut(all)
            .zip(records.par_iter())
            .with_min_len(1024)
            .for_each(|(k, r)| {
                for (slot, rule) in k.iter_mut().zip(ALL_RULES) {
                    *slot = rule.key(r);
                }
            });
        let used: Vec<usize> = (0..all)
            .filter(|&ri| keys.par_chunks(all).any(|k| k[ri] != 0))
            .collect();
        let rules: Vec<BlockRule> = used.iter().map(|&ri| ALL_RULES[ri]).collect();
        let by_record = if used.len() == all {
            keys
        } else {
            let mut kept = vec![0u64; records.len() * used.len().max(1)];
            kept.par_chunks_mut(used.len().max(1))
                .zip(keys.par_chunks(all))
                .with_min_len(1024)
                .for_each(|(o, k)| {
                    for (slot, &ri) in o.iter_mut().zip(&used) {
                        *slot = k[ri];
                    }
                });
            kept.truncate(records.len() * used.len());
            kept
        };
        BlockKeys {
            rules,
            by_record,
            name_sort: records.par_iter().map(name_sort_key).collect(),
            other_sort: records.par_iter().map(other_sort_key).collect(),
        }
    }

    /// Ask for record `i`'s keys ahead of use.
    #[inline]
    fn prefetch(&self, i: u32) {
        let n = self.rules.len();
        if let Some(k) = self.by_record.get(i as usize * n) {
            prefetch_ptr(k);
        }
    }

    /// Whether a rule before `rule` already joins `a` and `b`.
    #[inline]
    fn joined_earlier(&self, rule: usize, a: u32, b: u32) -> bool {
        // One record's keys sit together, so this reads two cache lines.
        let n = self.rules.len();
        let (ka, kb) = (
            &self.by_record[a as usize * n..a as usize * n + rule],
            &self.by_record[b as usize * n..b as usize * n + rule],
        );
        ka.iter().zip(kb).any(|(x, y)| *x != 0 && x == y)
    }
}

/// Statistics of candidate generation.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct BlockingStats {
    /// Pairs compared.
    pub candidate_pairs: u64,
    /// Blocks over the cap, compared within a window.
    pub windowed_blocks: u64,
    /// Pairs compared per rule, in rule order.
    pub pairs_by_rule: Vec<u64>,
}

impl BlockRule {
    /// Whether the rule's key is built from names (then oversized blocks are
    /// windowed by the other fields, else by name).
    fn name_based(self) -> bool {
        matches!(
            self,
            BlockRule::SortedName
                | BlockRule::SurnamePrefixGivenInitial
                | BlockRule::GivenPrefixSurnameInitial
        )
    }
}

/// How many records ahead a sorted window asks memory for.
const PREFETCH_AHEAD: usize = 8;

/// Generate every candidate pair once, attributed to the first rule that
/// joins it, and hand each to `visit` (in parallel); the `Some` results are
/// collected with the index of the rule. `prefetch(record, text)` is told
/// ahead of time which records come next: first with `false` (their own
/// memory), later with `true` (what they point to).
pub fn candidates<T: Send>(
    keys: &BlockKeys,
    max_block: usize,
    window: usize,
    prefetch: impl Fn(u32, bool) + Sync,
    visit: impl Fn(u32, u32) -> Option<T> + Sync,
) -> (Vec<(u8, T)>, BlockingStats) {
    let mut out = Vec::new();
    let mut stats = BlockingStats::default();
    let n = keys.rules.len();
    for (ri, &rule) in keys.rules.iter().enumerate() {
        let mut idx: Vec<(u64, u32)> = keys
            .by_record
            .iter()
            .skip(ri)
            .step_by(n)
            .enumerate()
            .filter(|(_, key)| **key != 0)
            .map(|(i, key)| (*key, i as u32))
            .collect();
        idx.par_sort_unstable();
        // Blocks of two or more, found in one sequential pass: most keys are
        // singletons, and splitting a million of them in parallel costs more
        // than the scan.
        let mut blocks: Vec<&[(u64, u32)]> = Vec::new();
        let mut start = 0;
        for i in 1..=idx.len() {
            if i == idx.len() || idx[i].0 != idx[start].0 {
                if i - start > 1 {
                    blocks.push(&idx[start..i]);
                }
                start = i;
            }
        }
        let (found, compared, windowed) = blocks
            .par_chunks(64)
            .fold(
                || (Vec::new(), 0u64, 0u64),
                |(mut found, mut compared, mut windowed), chunk| {
                    let mut consider = |a: u32, b: u32| {
                        let (a, b) = if a < b { (a, b) } else { (b, a) };
                        if keys.joined_earlier(ri, a, b) {
                            return;
                        }
                        compared += 1;
                        if let Some(t) = visit(a, b) {
                            found.push((ri as u8, t));
                        }
                    };
                    // Members of a block sit anywhere in memory. Two steps
                    // ahead: first a record's own lines (and keys), then, once
                    // those are in, the text they point to (reading the
                    // pointer of a record not yet in cache would stall).
                    let near = |g: &[(u64, u32)]| {
                        for x in g.iter().take(max_block) {
                            prefetch(x.1, true);
                        }
                    };
                    let far = |g: &[(u64, u32)]| {
                        for x in g.iter().take(max_block) {
                            keys.prefetch(x.1);
                            prefetch(x.1, false);
                        }
                    };
                    for g in chunk.iter().take(2) {
                        far(g);
                    }
                    if let Some(g) = chunk.first() {
                        near(g);
                    }
                    for (bi, g) in chunk.iter().enumerate() {
                        if let Some(next) = chunk.get(bi + 2) {
                            far(next);
                        }
                        if let Some(next) = chunk.get(bi + 1) {
                            near(next);
                        }
                        if g.len() <= max_block {
                            for i in 0..g.len() {
                                for j in i + 1..g.len() {
                                    consider(g[i].1, g[j].1);
                                }
                            }
                            continue;
                        }
                        // Too big for all pairs: sort by the other fields and
                        // compare neighbours (sorted neighbourhood).
                        // Neighbours should agree on what the block key does not say.
                        let sort = if rule.name_based() {
                            &keys.other_sort
                        } else {
                            &keys.name_sort
                        };
                        let mut m: Vec<(u64, u32)> =
                            g.iter().map(|x| (sort[x.1 as usize], x.1)).collect();
                        m.sort_unstable();
                        for i in 0..m.len() {
                            if let Some(x) = m.get(i + 2 * PREFETCH_AHEAD) {
                                keys.prefetch(x.1);
                                prefetch(x.1, false);
                            }
                            if let Some(x) = m.get(i + PREFETCH_AHEAD) {
                                prefetch(x.1, true);
                            }
                            for j in i + 1..(i + 1 + window).min(m.len()) {
                                consider(m[i].1, m[j].1);
                            }
                        }
                        windowed += 1;
                    }
                    (found, compared, windowed)
                },
            )
            // Per-thread vectors are gathered once at the end, not merged pairwise.
            .map(|(found, c, w)| {
                let mut l = std::collections::LinkedList::new();
                l.push_back(found);
                (l, c, w)
            })
            .reduce(
                || (std::collections::LinkedList::new(), 0, 0),
                |mut a, mut b| {
                    a.0.append(&mut b.0);
                    (a.0, a.1 + b.1, a.2 + b.2)
                },
            );
        out.reserve(found.iter().map(Vec::len).sum());
        for f in found {
            out.extend(f);
        }
        stats.candidate_pairs += compared;
        stats.pairs_by_rule.push(compared);
        stats.windowed_blocks += windowed;
    }
    (out, stats)
}
