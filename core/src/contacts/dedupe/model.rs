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
        let mut model = Model {
            lambda: 0.1,
            m: comps.iter().map(|c| initial_m(c.top())).collect(),
            u,
            iterations: 0,
        };
        let pats: Vec<(u64, f64)> = all.iter().map(|(&p, &c)| (p, c as f64)).collect();
        if all.values().sum::<u64>() < MIN_PAIRS_FOR_EM {
            // Too few candidates to learn from: EM would fit them as they are
            // (m = u). Keep the prior m, the measured u and a conservative prior.
            model.lambda = SMALL_SET_PRIOR;
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
        model
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
                        for l in 1..=top {
                            let v = (msum[i][l] / s).max(1e-6);
                            delta = delta.max((v - self.m[i][l]).abs());
                            self.m[i][l] = v;
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
