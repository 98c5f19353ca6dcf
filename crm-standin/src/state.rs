//! The stand-in's records, unique indexes, limits and counters.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};

use crate::{StandinConfig, StandinStats};

/// One contact.
#[derive(Clone, Debug)]
pub(crate) struct Rec {
    pub id: u64,
    pub props: BTreeMap<String, String>,
    pub created: i64,
    pub updated: i64,
}

fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Rec {
    /// HubSpot's object JSON; `wanted`: the requested properties (`None`: all).
    pub fn json(&self, wanted: Option<&[String]>) -> Value {
        let mut p = Map::new();
        match wanted {
            Some(w) => {
                for k in w {
                    p.insert(
                        k.clone(),
                        self.props.get(k).map_or(Value::Null, |v| json!(v)),
                    );
                }
            }
            None => {
                for (k, v) in &self.props {
                    p.insert(k.clone(), json!(v));
                }
            }
        }
        p.insert("hs_object_id".into(), json!(self.id.to_string()));
        p.insert("createdate".into(), json!(iso(self.created)));
        p.insert("lastmodifieddate".into(), json!(iso(self.updated)));
        json!({
            "id": self.id.to_string(),
            "properties": p,
            "createdAt": iso(self.created),
            "updatedAt": iso(self.updated),
            "archived": false,
        })
    }
}

#[derive(Default)]
pub(crate) struct Db {
    pub recs: BTreeMap<u64, Rec>,
    /// (property, value) → id for unique properties.
    pub unique: HashMap<(String, String), u64>,
    next_id: u64,
}

/// A write refused for one record.
pub(crate) struct WriteError {
    pub category: &'static str,
    pub message: String,
}

pub(crate) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
}

impl Db {
    fn is_unique(&self, uniques: &[String], p: &str) -> bool {
        p == "email" || uniques.iter().any(|u| u == p)
    }

    pub fn find(&self, prop: &str, value: &str) -> Option<u64> {
        self.unique
            .get(&(prop.to_string(), value.to_string()))
            .copied()
    }

    /// Apply `props` to record `id` (or a new one when `None`), keeping the
    /// unique indexes; `""` clears. Returns (id, changed).
    pub fn write(
        &mut self,
        uniques: &[String],
        id: Option<u64>,
        props: &Map<String, Value>,
        now: i64,
    ) -> Result<(u64, bool), WriteError> {
        // Check uniqueness before changing anything.
        for (k, v) in props {
            let v = value_text(v);
            if v.is_empty() || !self.is_unique(uniques, k) {
                continue;
            }
            if let Some(other) = self.find(k, &v)
                && Some(other) != id
            {
                return Err(WriteError {
                    category: "CONFLICT",
                    message: format!("Contact already exists. Existing ID: {other}"),
                });
            }
        }
        let id = match id {
            Some(i) => i,
            None => {
                self.next_id += 1;
                let i = self.next_id;
                self.recs.insert(
                    i,
                    Rec {
                        id: i,
                        props: BTreeMap::new(),
                        created: now,
                        updated: now,
                    },
                );
                i
            }
        };
        let mut changed = false;
        let mut index_changes = Vec::new();
        let rec = self.recs.get_mut(&id).expect("record exists");
        for (k, v) in props {
            let v = value_text(v);
            let old = rec.props.get(k).cloned();
            if old.as_deref() == Some(v.as_str()) || (old.is_none() && v.is_empty()) {
                continue;
            }
            changed = true;
            index_changes.push((k.clone(), old, v.clone()));
            if v.is_empty() {
                rec.props.remove(k);
            } else {
                rec.props.insert(k.clone(), v);
            }
        }
        if changed {
            rec.updated = now.max(rec.updated);
        }
        for (k, old, new) in index_changes {
            if !self.is_unique(uniques, &k) {
                continue;
            }
            if let Some(o) = old {
                self.unique.remove(&(k.clone(), o));
            }
            if !new.is_empty() {
                self.unique.insert((k, new), id);
            }
        }
        Ok((id, changed))
    }
}

pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A rolling window of request arrivals.
struct Window {
    max: u32,
    interval: Duration,
    seen: VecDeque<Instant>,
}

impl Window {
    /// Admit (and count) a request, or say how long until one fits.
    fn admit(&mut self, now: Instant) -> Result<u32, Duration> {
        while let Some(f) = self.seen.front() {
            if now.duration_since(*f) >= self.interval {
                self.seen.pop_front();
            } else {
                break;
            }
        }
        if (self.seen.len() as u32) < self.max {
            self.seen.push_back(now);
            Ok(self.max - self.seen.len() as u32)
        } else {
            Err(self.seen[0] + self.interval - now)
        }
    }
}

pub(crate) struct State {
    pub cfg: StandinConfig,
    pub db: Mutex<Db>,
    general: Mutex<Window>,
    search: Mutex<Window>,
    faults: Mutex<Vec<(u16, f64)>>,
    counters: Mutex<StandinStats>,
}

/// The outcome of the limit and fault checks for one request.
pub(crate) enum Gate {
    Pass { remaining: u32 },
    OverLimit { retry_after: Duration },
    Fault(u16),
}

impl State {
    pub fn new(cfg: StandinConfig) -> Self {
        State {
            general: Mutex::new(Window {
                max: cfg.requests_per_10s.max(1),
                interval: Duration::from_secs(10),
                seen: VecDeque::new(),
            }),
            search: Mutex::new(Window {
                max: cfg.search_per_s.max(1),
                interval: Duration::from_secs(1),
                seen: VecDeque::new(),
            }),
            faults: Mutex::new(cfg.faults.clone()),
            cfg,
            db: Mutex::new(Db::default()),
            counters: Mutex::new(StandinStats::default()),
        }
    }

    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }

    /// Count the request, apply the limits, then maybe inject a fault.
    pub fn gate(&self, search: bool) -> Gate {
        self.counters.lock().requests += 1;
        let now = Instant::now();
        let w = if search { &self.search } else { &self.general };
        let admitted = w.lock().admit(now);
        let remaining = match admitted {
            Ok(r) => r,
            Err(wait) => {
                self.counters.lock().over_limit += 1;
                return Gate::OverLimit { retry_after: wait };
            }
        };
        let faults = self.faults.lock().clone();
        let mut roll: f64 = rand::random();
        for (code, p) in faults {
            if roll < p {
                self.counters.lock().faults += 1;
                return Gate::Fault(code);
            }
            roll -= p;
        }
        Gate::Pass { remaining }
    }

    pub fn set_faults(&self, f: Vec<(u16, f64)>) {
        *self.faults.lock() = f;
    }

    pub fn stats(&self) -> StandinStats {
        let mut s = self.counters.lock().clone();
        s.records = self.db.lock().recs.len() as u64;
        s
    }

    pub fn all(&self) -> Vec<Value> {
        self.db.lock().recs.values().map(|r| r.json(None)).collect()
    }

    pub fn edit(&self, id: &str, props: &Map<String, Value>) -> Option<Value> {
        let now = self.now_ms();
        let mut db = self.db.lock();
        let id = if id == "new" {
            None
        } else {
            let n: u64 = id.parse().ok()?;
            db.recs.contains_key(&n).then_some(n)?;
            Some(n)
        };
        let (id, _) = db.write(&self.cfg.unique_properties, id, props, now).ok()?;
        db.recs.get(&id).map(|r| r.json(None))
    }
}
