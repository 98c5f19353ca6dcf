//! The number and pair limits in Redis, so several worker processes share one
//! budget. One Lua script decides atomically with GCRA (generic cell rate
//! algorithm: one "theoretical arrival time" per key) on Redis's own clock, so
//! workers on different machines agree; a send is admitted only when both the
//! number and the pair admit it, and nothing is consumed on a refusal.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use super::limits::{LimitConfig, RateLimiter};

/// GCRA for a batch of sends, in three Redis calls plus one `SET` per
/// admitted send and one per number that admitted: the state of every number
/// and pair is read with two `MGET`s and decided in Lua.
///
/// ARGV: pair interval µs, pair burst, N (distinct numbers), then per number its
/// interval µs, then per number its burst, then per send its number (1-based).
/// KEYS: N number TATs, N number slow-downs, then one pair TAT per send.
/// Returns one wait per send (µs, 0 = admitted). A blocked pair is a pair whose
/// TAT lies in the future (see `BLOCK_PAIR`), so it needs no key of its own.
const GCRA_MANY: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local p_int, p_burst, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local sends = #KEYS - 2 * n
local nv = redis.call('MGET', unpack(KEYS, 1, 2 * n))
local pv = redis.call('MGET', unpack(KEYS, 2 * n + 1, 2 * n + sends))
local tat, int, burst, dirty = {}, {}, {}, {}
for j = 1, n do
  tat[j] = math.max(tonumber(nv[j]) or now, now)
  int[j] = tonumber(nv[n + j]) or tonumber(ARGV[3 + j])
  burst[j] = tonumber(ARGV[3 + n + j])
end
local fresh = {}
local out = {}
for i = 1, sends do
  local j = tonumber(ARGV[3 + 2 * n + i])
  local key = KEYS[2 * n + i]
  local wait = 0
  local n_new = tat[j] + int[j]
  local n_allow = n_new - int[j] * burst[j]
  if n_allow > now then
    wait = n_allow - now
  else
    local pt = math.max(fresh[key] or tonumber(pv[i]) or now, now)
    local p_new = pt + p_int
    local p_allow = p_new - p_int * p_burst
    if p_allow > now then
      wait = p_allow - now
    else
      tat[j], dirty[j], fresh[key] = n_new, true, p_new
      redis.call('SET', key, string.format('%.0f', p_new), 'PX', math.floor((p_new - now) / 1000) + 1)
    end
  end
  out[i] = wait
end
for j = 1, n do
  if dirty[j] then
    redis.call('SET', KEYS[j], string.format('%.0f', tat[j]), 'PX', math.floor((tat[j] - now) / 1000) + 1)
  end
end
return out
"#;

/// Block a pair: move its TAT so the next send is admitted only after the
/// block. KEYS: pair TAT. ARGV: block µs, pair interval µs, pair burst.
const BLOCK_PAIR: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local want = now + tonumber(ARGV[1]) + tonumber(ARGV[2]) * (tonumber(ARGV[3]) - 1)
if (tonumber(redis.call('GET', KEYS[1])) or 0) < want then
  redis.call('SET', KEYS[1], string.format('%.0f', want), 'PX', math.floor((want - now) / 1000) + 1)
end
return 0
"#;

/// Sends decided per script call; larger batches are split (Lua's `unpack`
/// has a stack limit).
const MAX_BATCH: usize = 500;

/// A [`RateLimiter`] whose state lives in Redis.
pub struct RedisLimiter {
    conn: ConnectionManager,
    cfg: LimitConfig,
    prefix: String,
    script: redis::Script,
    block_pair: redis::Script,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("RedisLimiter")
            .field("prefix", &self.prefix)
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

async fn manager(url: &str) -> crate::Result<ConnectionManager> {
    let client = redis::Client::open(url).map_err(redis_err)?;
    client.get_connection_manager().await.map_err(redis_err)
}

fn redis_err(e: redis::RedisError) -> crate::Error {
    crate::Error::Store {
        message: format!("redis: {e}"),
        retryable: e.is_io_error() || e.is_timeout() || e.is_connection_dropped(),
    }
}

/// Same pacing as the in-memory limiter: the steady rate, a quarter-second burst.
fn number_params(mps: u32) -> (u64, u64) {
    let mps = mps.clamp(1, 10_000) as u64;
    (1_000_000 / mps, (mps / 4).max(1))
}

impl RedisLimiter {
    /// Connect to `url` (`redis://host:port/db`); keys start with `prefix`
    /// (several tenants or test runs can share a server).
    pub async fn connect(url: &str, prefix: &str, cfg: LimitConfig) -> crate::Result<Self> {
        Ok(RedisLimiter {
            conn: manager(url).await?,
            cfg,
            prefix: prefix.to_string(),
            script: redis::Script::new(GCRA_MANY),
            block_pair: redis::Script::new(BLOCK_PAIR),
        })
    }

    fn mps_of(&self, number: &str) -> u32 {
        self.cfg
            .mps_by_number
            .get(number)
            .copied()
            .unwrap_or(self.cfg.mps)
    }

    /// One decision; errors are Redis failures (the caller defers the send).
    pub async fn decide(
        &self,
        number: &str,
        recipient: &str,
    ) -> crate::Result<Result<(), Duration>> {
        let mut d = self.decide_many(&[(number, recipient)]).await?;
        Ok(d.pop().unwrap_or(Ok(())))
    }

    /// Many decisions in one round trip (see [`RateLimiter::try_acquire_many`]).
    pub async fn decide_many(
        &self,
        sends: &[(&str, &str)],
    ) -> crate::Result<Vec<Result<(), Duration>>> {
        let mut out = Vec::with_capacity(sends.len());
        for chunk in sends.chunks(MAX_BATCH) {
            out.extend(self.decide_chunk(chunk).await?);
        }
        Ok(out)
    }

    async fn decide_chunk(
        &self,
        sends: &[(&str, &str)],
    ) -> crate::Result<Vec<Result<(), Duration>>> {
        // Distinct numbers in first-seen order; a batch usually has a few.
        let mut numbers: Vec<&str> = Vec::new();
        let index: Vec<usize> = sends
            .iter()
            .map(
                |(number, _)| match numbers.iter().position(|n| n == number) {
                    Some(i) => i + 1,
                    None => {
                        numbers.push(number);
                        numbers.len()
                    }
                },
            )
            .collect();
        let p = &self.prefix;
        let mut inv = self.script.prepare_invoke();
        inv.arg(self.cfg.pair_interval.as_micros().max(1) as u64)
            .arg(self.cfg.pair_burst.max(1))
            .arg(numbers.len());
        let params: Vec<(u64, u64)> = numbers
            .iter()
            .map(|n| number_params(self.mps_of(n)))
            .collect();
        for n in &numbers {
            inv.key(format!("{p}:n:{n}"));
        }
        for n in &numbers {
            inv.key(format!("{p}:slow:{n}"));
        }
        for (interval, _) in &params {
            inv.arg(interval);
        }
        for (_, burst) in &params {
            inv.arg(burst);
        }
        for ((number, recipient), i) in sends.iter().zip(&index) {
            inv.key(self.pair_key(number, recipient)).arg(i);
        }
        let waits: Vec<u64> = inv
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(redis_err)?;
        Ok(waits
            .into_iter()
            .map(|w| {
                if w == 0 {
                    Ok(())
                } else {
                    Err(Duration::from_micros(w))
                }
            })
            .collect())
    }

    fn pair_key(&self, number: &str, recipient: &str) -> String {
        format!("{}:p:{number}:{recipient}", self.prefix)
    }

    async fn set_px(&self, key: String, value: u64, for_: Duration) {
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(for_.as_millis().max(1) as u64)
            .query_async(&mut self.conn.clone())
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "redis limiter: penalty not stored");
        }
    }
}

#[async_trait]
impl RateLimiter for RedisLimiter {
    async fn try_acquire(&self, number: &str, recipient: &str) -> Result<(), Duration> {
        match self.decide(number, recipient).await {
            Ok(d) => d,
            Err(e) => {
                // Redis unreachable: hold the send back briefly rather than send unpaced.
                tracing::warn!(error = %e, "redis limiter unavailable; deferring");
                Err(Duration::from_millis(500))
            }
        }
    }

    async fn try_acquire_many(&self, sends: &[(&str, &str)]) -> Vec<Result<(), Duration>> {
        match self.decide_many(sends).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "redis limiter unavailable; deferring");
                vec![Err(Duration::from_millis(500)); sends.len()]
            }
        }
    }

    async fn penalize_number(&self, number: &str, for_: Duration) {
        // Half the rate: twice the emission interval.
        let (n_int, _) = number_params(self.mps_of(number));
        self.set_px(format!("{}:slow:{number}", self.prefix), n_int * 2, for_)
            .await;
    }

    async fn penalize_pair(&self, number: &str, recipient: &str, for_: Duration) {
        let r: redis::RedisResult<i64> = self
            .block_pair
            .key(self.pair_key(number, recipient))
            .arg(for_.as_micros().max(1) as u64)
            .arg(self.cfg.pair_interval.as_micros().max(1) as u64)
            .arg(self.cfg.pair_burst.max(1))
            .invoke_async(&mut self.conn.clone())
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "redis limiter: pair block not stored");
        }
    }

    fn config(&self) -> Option<&LimitConfig> {
        Some(&self.cfg)
    }
}

/// KEYS: the portfolio's sorted set. ARGV: recipient, now ms, window ms, cap (0 = none).
/// Returns 0 when admitted, else the epoch ms when the oldest contact expires.
const TIER: &str = r#"
local now = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and cap > 0
   and redis.call('ZCARD', KEYS[1]) >= cap then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + win
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], win)
return 0
"#;

/// The messaging-limit tier in Redis: one sorted set of recipients per business
/// portfolio, so every worker process counts the same unique recipients.
pub struct RedisTier {
    conn: ConnectionManager,
    key: String,
    cap: Option<usize>,
    script: redis::Script,
}

impl std::fmt::Debug for RedisTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTier")
            .field("key", &self.key)
            .field("cap", &self.cap)
            .finish_non_exhaustive()
    }
}

impl RedisTier {
    /// Connect; `portfolio` names the business portfolio whose numbers share the tier.
    pub async fn connect(
        url: &str,
        prefix: &str,
        portfolio: &str,
        cap: Option<usize>,
    ) -> crate::Result<Self> {
        Ok(RedisTier {
            conn: manager(url).await?,
            key: format!("{prefix}:tier:{portfolio}"),
            cap,
            script: redis::Script::new(TIER),
        })
    }

    /// Unique recipients in the window now.
    pub async fn used(&self, now: crate::time::Millis) -> crate::Result<u64> {
        let mut c = self.conn.clone();
        redis::cmd("ZCOUNT")
            .arg(&self.key)
            .arg(now - crate::time::DAY + 1)
            .arg("+inf")
            .query_async(&mut c)
            .await
            .map_err(redis_err)
    }
}

#[async_trait]
impl super::tier::TierGate for RedisTier {
    async fn admit(
        &self,
        recipient: &str,
        now: crate::time::Millis,
    ) -> Result<(), crate::time::Millis> {
        let r: redis::RedisResult<i64> = self
            .script
            .key(&self.key)
            .arg(recipient)
            .arg(now)
            .arg(crate::time::DAY)
            .arg(self.cap.unwrap_or(0) as u64)
            .invoke_async(&mut self.conn.clone())
            .await;
        match r {
            Ok(0) => Ok(()),
            Ok(until) => Err(until),
            Err(e) => {
                // Unknown state: hold the send back a little rather than overrun the tier.
                tracing::warn!(error = %e, "redis tier unavailable; deferring");
                Err(now + 1_000)
            }
        }
    }

    fn cap(&self) -> Option<usize> {
        self.cap
    }

    async fn used(&self, now: crate::time::Millis) -> usize {
        // Unknown: plan as if the tier were empty; the gate still holds at send time.
        RedisTier::used(self, now).await.unwrap_or(0) as usize
    }
}
