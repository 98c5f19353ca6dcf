//! Shared helpers for the benchmark binaries: timing, percentiles, and running
//! the Python anchors in the same run.

use std::process::Command;
use std::time::{Duration, Instant};

/// Run `f` repeatedly for about `budget`; returns (iterations, elapsed).
pub fn time_for(budget: Duration, mut f: impl FnMut()) -> (u64, Duration) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            f();
        }
        n += 64;
    }
    (n, start.elapsed())
}

/// CPU time this thread has run, from the kernel's scheduler statistics
/// (Linux): a rate per CPU-second is a rate per core even when other work
/// shares the cores. `None` where the file does not exist.
pub fn thread_cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// [`time_for`], also returning the CPU time the thread used meanwhile.
pub fn time_for_cpu(budget: Duration, f: impl FnMut()) -> (u64, Duration, Option<Duration>) {
    let before = thread_cpu_time();
    let (n, wall) = time_for(budget, f);
    let cpu = thread_cpu_time()
        .zip(before)
        .map(|(a, b)| a.saturating_sub(b));
    (n, wall, cpu)
}

/// Percentile of sorted nanosecond samples.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

/// The Python interpreter for anchors: `WACRM_BENCH_PYTHON` or `python3`.
pub fn python() -> String {
    std::env::var("WACRM_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Run a Python anchor script; returns its stdout, or why it could not run.
pub fn run_anchor(script: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .map_err(|e| format!("cannot start {}: {e}", python()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("failed")
            .to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Path of a file in the workspace.
pub fn workspace_path(rel: &str) -> String {
    format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// A small deterministic generator (xorshift64*), so every run of a benchmark
/// works on the same data without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
