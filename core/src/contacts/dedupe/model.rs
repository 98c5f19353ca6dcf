//! The Fellegi–Sunter model that turns a comparison vector into a match
//! probability. `u` (how often a level occurs between unrelated records) is
//! measured on random pairs; `m` (how often it occurs between duplicates) and
//! the share of duplicates among candidates are fitted by expectation–
//! maximisation over the candidate pairs, as Splink does.

// m, u and counts are parallel arrays indexed by level; index loops read best.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use super::compare::{Comparison, NULL, unpack};

/// Levels per comparison (index 0 unused: null).
const L: usize = 5;

/// Below this many measured pairs, chance agreement is capped by a prior.
const SMALL_SAMPLE: u64 = 5_000;

/// Chance that two unrelated contacts agree at some level, at most (small lists).
const PRIOR_AGREEMENT_U: f64 = 0.01;

/// Below this many candidate pairs the model is not fitted.
const MIN_PAIRS_FOR_EM: u64 = 500;

/// Share of duplicates assumed among candidates when the model is not fitted.
const SMALL_SET_PRIOR: f64 = 0.1;

/// A packed-vector mask that nulls the comparisons whose bit is set.
fn mask_out(excluded: u32, n: usize) -> u64 {
    let mut mask = u64::MAX;
    for i in 0..n {
        if excluded & (1 << i) != 0 {
            mask &= !(0xF << (4 * i));
        }
    }
    mask
}

/// Fitted parameters.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    /// Share of candidate pairs that are duplicates.
    pub lambda: f64,
    /// m per comparison and level.
    pub m: Vec<[f64; L]>,
    /// u per comparison and level.
    pub u: Vec<[f64; L]>,
    /// EM iterations run.
    pub iterations: usize,
    /// `em` (fitted to this list) or `priors` (m assumed, see `reason`).
    pub kind: String,
    /// Why the fit was not used, when `kind` is `priors`.
    pub reason: Option<String>,
}

fn initial_m(top: u8) -> [f64; L] {
    let mut m = [0.0; L];
    // Most duplicates agree exactly; the rest spread over the fuzzy levels.
    m[top as usize] = 0.8;
    let fuzzy = (top as usize).saturating_sub(2);
    for l in 2..top as usize {
        m[l] = 0.15 / fuzzy.max(1) as f64;
    }
    m[1] = 0.05;
    m
}

/// Raise `m[DIFFERS]` to at least `min`, scaling the agreeing levels down so
/// the levels still sum to one.
fn floor_differs(m: &mut [f64; L], top: usize, min: f64) {
    let d = super::compare::DIFFERS as usize;
    if m[d] >= min {
        return;
    }
    let rest: f64 = (d + 1..=top).map(|l| m[l]).sum();
    if rest > 0.0 {
        let scale = (1.0 - min) / rest;
        for l in d + 1..=top {
            m[l] *= scale;
        }
    }
    m[d] = min;
}

impl Model {
    /// Estimate `u` from `samples` random pairs drawn with a fixed seed.
    pub fn estimate_u(
        comps: &[Comparison],
        n: usize,
        samples: usize,
        seed: u64,
        compare: impl Fn(u32, u32) -> u64 + Sync,
    ) -> Vec<[f64; L]> {
        let mut counts = vec![[0u64; L]; comps.len()];
        if n >= 2 {
            let all_pairs = n as u64 * (n as u64 - 1) / 2;
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            // Few records: every pair once, exactly, instead of a sample.
            let pairs: Vec<(u32, u32)> = if all_pairs <= samples as u64 {
                (0..n as u32)
                    .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
                    .collect()
            } else {
                (0..samples)
                    .map(|_| {
                        let a = rng.random_range(0..n as u32);
                        let mut b = rng.random_range(0..n as u32 - 1);
                        if b >= a {
                            b += 1;
                        }
                        (a, b)
                    })
                    .collect()
            };
            let vs: Vec<u64> = pairs.par_iter().map(|&(a, b)| compare(a, b)).collect();
            for v in vs {
                for (i, c) in counts.iter_mut().enumerate() {
                    c[unpack(v, i) as usize] += 1;
                }
            }
        }
        comps
            .iter()
            .zip(counts)
            .map(|(c, cnt)| {
                let top = c.top() as usize;
                let total: u64 = cnt[1..=top].iter().sum();
                let mut u = [0.0; L];
                for l in 1..=top {
                    // Half a count of smoothing: a level never seen among random
                    // pairs is rare, not impossible.
                    u[l] = (cnt[l] as f64 + 0.5) / (total as f64 + 0.5 * top as f64);
                }
                if total < SMALL_SAMPLE {
                    // A handful of pairs, duplicates among them, overstates chance
                    // agreement: agreeing levels are capped at what unrelated
                    // people share in a list of thousands.
                    for l in 2..=top {
                        u[l] = u[l].min(PRIOR_AGREEMENT_U);
                    }
                    u[1] = 1.0 - u[2..=top].iter().sum::<f64>();
                }
                u
            })
            .collect()
    }

    /// Classic Fellegi–Sunter EM on all candidate pairs: `m`, `u` (starting from
    /// the random-pair measurement) and the duplicate share all fitted.
    pub fn fit(comps: &[Comparison], u: Vec<[f64; L]>, all: &HashMap<u64, u64>) -> Self {
        let random_u = u.clone();
        let mut model = Model {
            lambda: 0.1,
            m: comps.iter().map(|c| initial_m(c.top())).collect(),
            u,
            iterations: 0,
            kind: "em".into(),
            reason: None,
        };
        let pats: Vec<(u64, f64)> = all.iter().map(|(&p, &c)| (p, c as f64)).collect();
        let pairs: u64 = all.values().sum();
        if pairs < MIN_PAIRS_FOR_EM {
            // Too few candidates to learn from: EM would fit them as they are
            // (m = u). Keep the prior m, the measured u and a conservative prior.
            model.m = comps.iter().map(Comparison::prior_m).collect();
            model.lambda = SMALL_SET_PRIOR;
            model.kind = "priors".into();
            model.reason = Some(format!(
                "{pairs} candidate pairs, fewer than the {MIN_PAIRS_FOR_EM} a fit needs"
            ));
            return model;
        }
        {
            // Start u from the candidates' own level frequencies: most candidates
            // are not duplicates, and blocking makes them agree more than random
            // pairs do; starting from random-pair u would let "agrees on the
            // blocking key" pass for "is a duplicate".
            for (i, c) in comps.iter().enumerate() {
                let top = c.top() as usize;
                let mut cnt = [0.0f64; L];
                for &(p, n) in &pats {
                    cnt[unpack(p, i) as usize] += n;
                }
                let total: f64 = cnt[1..=top].iter().sum();
                if total > 0.0 {
                    for l in 1..=top {
                        model.u[i][l] =
                            ((cnt[l] + 0.5) / (total + 0.5 * top as f64)).max(model.u[i][l]);
                    }
                }
            }
        }
        model.iterations = model.em(comps, &pats, 0, true, true);
        if let Some(reason) = model.degenerate(comps, &pats) {
            // A fit that cannot be right on this list (it was built for data
            // like the FEBRL sets): sane m, u as measured on random pairs
            // (what chance agreement is, whatever the candidates are), and
            // only the duplicate share fitted under them.
            model.m = comps.iter().map(Comparison::prior_m).collect();
            model.u = random_u;
            model.lambda = SMALL_SET_PRIOR;
            model.iterations += model.em(comps, &pats, 0, false, false);
            model.lambda = model.lambda.clamp(0.01, 0.5);
            model.kind = "priors".into();
            model.reason = Some(reason);
        }
        model
    }

    /// Why a fit is unusable, if it is: the duplicate share at an extreme,
    /// exact agreement weighing against a match, nearly every candidate in
    /// one class, or pairs that share a phone or e-mail and a name rejected
    /// (a model that accepts only exact twins).
    fn degenerate(&self, comps: &[Comparison], pats: &[(u64, f64)]) -> Option<String> {
        if !(1e-4..=0.95).contains(&self.lambda) {
            return Some(format!(
                "duplicate share fitted at {:.5}, an extreme",
                self.lambda
            ));
        }
        for (i, c) in comps.iter().enumerate() {
            let top = c.top() as usize;
            let seen = pats.iter().any(|&(p, _)| unpack(p, i) as usize == top);
            if seen && self.m[i][top] <= self.u[i][top] {
                return Some(format!(
                    "exact agreement on {c:?} fitted as evidence against a match (m {:.4} <= u {:.4})",
                    self.m[i][top], self.u[i][top]
                ));
            }
        }
        let total: f64 = pats.iter().map(|p| p.1).sum();
        let accepted: f64 = pats
            .iter()
            .filter(|&&(p, _)| self.posterior(p) >= 0.5)
            .map(|p| p.1)
            .sum();
        if accepted > 0.95 * total {
            return Some(format!(
                "{:.1} % of candidate pairs fitted as matches",
                100.0 * accepted / total
            ));
        }
        // Pairs the plainest rule would merge: same phone or same e-mail, and
        // a name that agrees at least closely.
        let key = |p: u64| {
            comps.iter().enumerate().any(|(i, c)| {
                let l = unpack(p, i);
                (matches!(c, Comparison::Phone) && l == 2)
                    || (matches!(c, Comparison::Email) && l == 4)
            })
        };
        let named = |p: u64| {
            let mut any = false;
            for (i, c) in comps.iter().enumerate() {
                if matches!(
                    c,
                    Comparison::Given | Comparison::Surname | Comparison::FullName
                ) {
                    match unpack(p, i) {
                        NULL => {}
                        l if l >= 3 => any = true,
                        _ => return false,
                    }
                }
            }
            any
        };
        let (mut strong, mut rejected) = (0.0, 0.0);
        for &(p, n) in pats {
            if key(p) && named(p) {
                strong += n;
                if self.posterior(p) < 0.5 {
                    rejected += n;
                }
            }
        }
        if strong >= 20.0 && rejected > 0.5 * strong {
            return Some(format!(
                "{:.1} % of pairs sharing a phone or e-mail and a name fitted as non-matches",
                100.0 * rejected / strong
            ));
        }
        None
    }

    /// Expectation–maximisation over pattern counts, ignoring `excluded`
    /// comparisons; `m` is re-estimated only when `fit_m`. Returns iterations.
    fn em(
        &mut self,
        comps: &[Comparison],
        pats: &[(u64, f64)],
        excluded: u32,
        fit_m: bool,
        fit_u: bool,
    ) -> usize {
        let mask = mask_out(excluded, comps.len());
        for it in 0..100 {
            let mut msum = vec![[0.0f64; L]; comps.len()];
            let mut usum = vec![[0.0f64; L]; comps.len()];
            let (mut dup, mut total) = (0.0, 0.0);
            for &(p, cnt) in pats {
                let p = p & mask;
                let w = self.posterior(p);
                dup += w * cnt;
                total += cnt;
                if fit_m {
                    for i in 0..comps.len() {
                        let l = unpack(p, i) as usize;
                        if l != NULL as usize {
                            msum[i][l] += w * cnt;
                            usum[i][l] += (1.0 - w) * cnt;
                        }
                    }
                }
            }
            if total == 0.0 {
                return it;
            }
            let new_lambda = (dup / total).clamp(1e-9, 1.0 - 1e-9);
            let mut delta = (new_lambda - self.lambda).abs();
            self.lambda = new_lambda;
            if fit_m {
                for (i, c) in comps.iter().enumerate() {
                    let top = c.top() as usize;
                    let s: f64 = msum[i][1..=top].iter().sum();
                    if s > 0.0 {
                        let mut m = [0.0; L];
                        for l in 1..=top {
                            m[l] = (msum[i][l] / s).max(1e-6);
                        }
                        floor_differs(&mut m, top, c.min_m_differs());
                        for l in 1..=top {
                            delta = delta.max((m[l] - self.m[i][l]).abs());
                            self.m[i][l] = m[l];
                        }
                    }
                    let s: f64 = usum[i][1..=top].iter().sum();
                    if fit_u && s > 0.0 {
                        for l in 1..=top {
                            let v = (usum[i][l] / s).max(1e-6);
                            delta = delta.max((v - self.u[i][l]).abs());
                            self.u[i][l] = v;
                        }
                    }
                }
            }
            if delta < 1e-6 {
                return it + 1;
            }
        }
        100
    }

    /// log2 Bayes factor of a pattern.
    pub fn weight(&self, p: u64) -> f64 {
        let mut w = 0.0;
        for i in 0..self.m.len() {
            let l = unpack(p, i) as usize;
            if l != NULL as usize {
                w += (self.m[i][l] / self.u[i][l]).log2();
            }
        }
        w
    }

    /// Probability that a pair with this pattern is a duplicate.
    pub fn posterior(&self, p: u64) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        let w = prior + self.weight(p);
        1.0 / (1.0 + (-w).exp2())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::dedupe::compare::DIFFERS;

    fn pack(levels: &[u8]) -> u64 {
        levels
            .iter()
            .enumerate()
            .fold(0, |v, (i, l)| v | (*l as u64) << (4 * i))
    }

    fn random_u(comps: &[Comparison]) -> Vec<[f64; L]> {
        comps
            .iter()
            .map(|c| {
                let mut u = [0.0; L];
                u[1] = 0.9;
                let top = c.top() as usize;
                for l in 2..=top {
                    u[l] = 0.1 / (top - 1) as f64;
                }
                u
            })
            .collect()
    }

    #[test]
    fn a_fit_that_collapses_falls_back_to_priors_and_says_why() {
        // Every candidate agrees on everything: EM puts all of them in one
        // class, which says nothing about the next list.
        let comps = [Comparison::FullName, Comparison::Phone, Comparison::City];
        let mut pats = HashMap::new();
        pats.insert(pack(&[4, 2, 3]), 2_000u64);
        let m = Model::fit(&comps, random_u(&comps), &pats);
        assert_eq!(m.kind, "priors");
        assert!(m.reason.is_some());
        assert_eq!(m.m[1], Comparison::Phone.prior_m());
        // Under the priors a different phone weighs against, not a veto:
        // same name and city, another number, still a likely match.
        assert!(m.posterior(pack(&[4, DIFFERS, 3])) > 0.5, "{m:?}");
    }

    #[test]
    fn a_sound_fit_is_kept_and_a_different_phone_is_never_a_veto() {
        // Duplicates (same name, mostly same phone) among many unrelated
        // candidates that share a city.
        let comps = [Comparison::FullName, Comparison::Phone, Comparison::City];
        let mut pats = HashMap::new();
        pats.insert(pack(&[4, 2, 3]), 900u64);
        pats.insert(pack(&[4, DIFFERS, 3]), 30);
        pats.insert(pack(&[DIFFERS, DIFFERS, 3]), 6_000);
        pats.insert(pack(&[2, DIFFERS, 3]), 800);
        pats.insert(pack(&[DIFFERS, DIFFERS, DIFFERS]), 3_000);
        let m = Model::fit(&comps, random_u(&comps), &pats);
        assert_eq!(m.kind, "em", "{:?}", m.reason);
        assert!(m.m[1][DIFFERS as usize] >= Comparison::Phone.min_m_differs() - 1e-12);
        let sum: f64 = m.m[1][1..=2].iter().sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }

    #[test]
    fn few_candidates_use_priors() {
        let comps = [Comparison::FullName, Comparison::Phone];
        let mut pats = HashMap::new();
        pats.insert(pack(&[4, 2]), 10u64);
        let m = Model::fit(&comps, random_u(&comps), &pats);
        assert_eq!(m.kind, "priors");
        assert!(
            m.reason
                .as_deref()
                .unwrap_or("")
                .contains("candidate pairs")
        );
    }
}
