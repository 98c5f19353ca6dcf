//! The number and pair limits in Redis, so several worker processes share one
//! budget. One Lua script decides atomically with GCRA (generic cell rate
//! algorithm: one "theoretical arrival time" per key) on Redis's own clock, so
//! workers on different machines agree; a send is admitted only when both the
//! number and the pair admit it, and nothing is consumed on a refusal.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use super::limits::{LimitConfig, RateLimiter};

/// GCRA for a batch of sends. Per send, KEYS: number TAT, pair TAT, number
/// slow-down, pair block; ARGV: number interval µs, number burst, pair
/// interval µs, pair burst. Returns one wait per send (µs, 0 = admitted).
const GCRA_MANY: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local function decide(key, interval, burst)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - interval * burst
  if allow_at > now then return 0, allow_at - now end
  return new_tat, 0
end
for i = 0, #KEYS / 4 - 1 do
  local k, a = i * 4, i * 4
  local wait = 0
  local blocked = redis.call('PTTL', KEYS[k + 4])
  if blocked > 0 then
    wait = blocked * 1000
  else
    local n_int = tonumber(ARGV[a + 1])
    local slow = redis.call('GET', KEYS[k + 3])
    if slow then n_int = tonumber(slow) end
    local n_tat, n_wait = decide(KEYS[k + 1], n_int, tonumber(ARGV[a + 2]))
    if n_wait > 0 then
      wait = n_wait
    else
      local p_int = tonumber(ARGV[a + 3])
      local p_tat, p_wait = decide(KEYS[k + 2], p_int, tonumber(ARGV[a + 4]))
      if p_wait > 0 then
        wait = p_wait
      else
        redis.call('SET', KEYS[k + 1], string.format('%.0f', n_tat), 'PX', math.floor((n_tat - now) / 1000) + 1)
        redis.call('SET', KEYS[k + 2], string.format('%.0f', p_tat), 'PX', math.floor((p_tat - now) / 1000) + 1)
      end
    end
  end
  out[i + 1] = wait
end
return out
"#;

/// A [`RateLimiter`] whose state lives in Redis.
pub struct RedisLimiter {
    conn: ConnectionManager,
    cfg: LimitConfig,
    prefix: String,
    script: redis::Script,
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
        })
    }

    fn mps_of(&self, number: &str) -> u32 {
        self.cfg
            .mps_by_number
            .get(number)
            .copied()
            .unwrap_or(self.cfg.mps)
    }

    /// The four keys and four arguments of one send, as both scripts read them.
    fn add_send(&self, inv: &mut redis::ScriptInvocation<'_>, number: &str, recipient: &str) {
        let (n_int, n_burst) = number_params(self.mps_of(number));
        let p = &self.prefix;
        inv.key(format!("{p}:n:{number}"))
            .key(format!("{p}:p:{number}:{recipient}"))
            .key(format!("{p}:slow:{number}"))
            .key(format!("{p}:block:{number}:{recipient}"))
            .arg(n_int)
            .arg(n_burst)
            .arg(self.cfg.pair_interval.as_micros().max(1) as u64)
            .arg(self.cfg.pair_burst.max(1));
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
        if sends.is_empty() {
            return Ok(Vec::new());
        }
        let mut inv = self.script.prepare_invoke();
        for (number, recipient) in sends {
            self.add_send(&mut inv, number, recipient);
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
        self.set_px(
            format!("{}:block:{number}:{recipient}", self.prefix),
            1,
            for_,
        )
        .await;
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
            .arg(now - 86_400_000 + 1)
            .arg("+inf")
            .query_async(&mut c)
            .await
            .map_err(redis_err)
    }
}

#[async_trait]
impl super::limits::TierGate for RedisTier {
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
            .arg(86_400_000i64)
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
}
