//! The limiter's per-recipient tables (tier window, pair buckets): 64-bit
//! hashed keys to 64-bit values, open addressing with linear probing, so a
//! key's slot is one computed address. That lets a caller ask the CPU for
//! the slot ([`SlotHint::prefetch`]) before it takes the lock that guards the
//! table: on a campaign each recipient's slot is a cache miss, and the
//! policies' work hides it instead of the decision waiting for it.
//! (`HashMap` keeps its control bytes and its entries apart, two misses per
//! cold lookup, and cannot say where a key lives.)

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// An empty slot's key. A real key of 0 is stored as [`ZERO_KEY`] instead;
/// the two then share a slot, as any two keys whose hashes collide do.
const EMPTY: u64 = 0;
const ZERO_KEY: u64 = 0x9e37_79b9_7f4a_7c15;
/// Grow at three quarters full: a present key is then found in about two
/// probes, mostly within the slot's own cache line.
const MAX_LOAD_NUM: usize = 3;
const MAX_LOAD_DEN: usize = 4;

type Slot = (u64, u64);

/// Hashed key → value table (see the module doc).
pub(super) struct SlotMap {
    slots: Box<[Slot]>,
    len: usize,
}

fn norm(key: u64) -> u64 {
    if key == EMPTY { ZERO_KEY } else { key }
}

/// Home slot of `key` in a table of `mask + 1` slots: the product's high
/// bits, so keys that share their low or top bits (a shard's) still spread.
fn home(key: u64, mask: usize) -> usize {
    let bits = (mask + 1).trailing_zeros();
    if bits == 0 {
        return 0;
    }
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize & mask
}

impl Default for SlotMap {
    fn default() -> Self {
        SlotMap::with_slots(16)
    }
}

impl SlotMap {
    fn with_slots(n: usize) -> Self {
        SlotMap {
            slots: vec![(EMPTY, 0); n.next_power_of_two().max(16)].into_boxed_slice(),
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Entries held.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn find(&self, key: u64) -> Option<usize> {
        let mask = self.mask();
        let mut i = home(key, mask);
        loop {
            match self.slots[i].0 {
                EMPTY => return None,
                k if k == key => return Some(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The value of `key`.
    pub(super) fn get(&self, key: u64) -> Option<u64> {
        self.find(norm(key)).map(|i| self.slots[i].1)
    }

    /// The value of `key`, to change in place.
    pub(super) fn get_mut(&mut self, key: u64) -> Option<&mut u64> {
        self.find(norm(key)).map(|i| &mut self.slots[i].1)
    }

    /// Set `key` to `value`.
    pub(super) fn insert(&mut self, key: u64, value: u64) {
        let key = norm(key);
        if let Some(i) = self.find(key) {
            self.slots[i].1 = value;
            return;
        }
        if (self.len + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM {
            self.rebuild(self.slots.len() * 2);
        }
        self.put(key, value);
        self.len += 1;
    }

    /// Place a key known to be absent, with room to spare.
    fn put(&mut self, key: u64, value: u64) {
        let mask = self.mask();
        let mut i = home(key, mask);
        while self.slots[i].0 != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, value);
    }

    /// Remove `key` and return its value. The entries after it in its run
    /// move back into the hole when their home allows, so every lookup still
    /// meets its key before an empty slot (no tombstones).
    pub(super) fn remove(&mut self, key: u64) -> Option<u64> {
        let mask = self.mask();
        let at = self.find(norm(key))?;
        let value = self.slots[at].1;
        let mut hole = at;
        let mut j = at;
        loop {
            j = (j + 1) & mask;
            let k = self.slots[j].0;
            if k == EMPTY {
                break;
            }
            // `k` may fill the hole when the hole lies between its home and
            // where it sits now (cyclically).
            let h = home(k, mask);
            if j.wrapping_sub(h) & mask >= j.wrapping_sub(hole) & mask {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (EMPTY, 0);
        self.len -= 1;
        Some(value)
    }

    /// Keep only the entries `keep` accepts, in a table sized for them.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(u64, u64) -> bool) {
        let kept: Vec<Slot> = self
            .slots
            .iter()
            .copied()
            .filter(|&(k, v)| k != EMPTY && keep(k, v))
            .collect();
        *self = SlotMap::with_slots(kept.len() * 2);
        for (k, v) in kept {
            self.put(k, v);
        }
        self.len = self.slots.iter().filter(|s| s.0 != EMPTY).count();
    }

    fn rebuild(&mut self, slots: usize) {
        let old = std::mem::replace(self, SlotMap::with_slots(slots));
        for &(k, v) in old.slots.iter().filter(|s| s.0 != EMPTY) {
            self.put(k, v);
        }
        self.len = old.len;
    }
}

/// Where a [`SlotMap`] lives, readable without its lock: the owner publishes
/// it after every change that may move the table, and a prefetch reads it.
/// A prefetch of a table just replaced is a wasted hint, never a fault.
#[derive(Default)]
pub(super) struct SlotHint {
    base: AtomicPtr<Slot>,
    mask: AtomicUsize,
}

impl SlotHint {
    /// Record where `map` is now (call with its lock held, after a change).
    pub(super) fn publish(&self, map: &SlotMap) {
        let base = map.slots.as_ptr().cast_mut();
        if self.base.load(Ordering::Relaxed) != base {
            self.base.store(base, Ordering::Relaxed);
            self.mask.store(map.mask(), Ordering::Relaxed);
        }
    }

    /// Ask the CPU for `key`'s home slot (a hint: nothing is read).
    pub(super) fn prefetch(&self, key: u64) {
        let base = self.base.load(Ordering::Relaxed);
        if base.is_null() {
            return;
        }
        let mask = self.mask.load(Ordering::Relaxed);
        crate::mem::prefetch_ptr(base.wrapping_add(home(norm(key), mask)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Random inserts, updates and removals against `HashMap`, with keys
    /// crowded into few home slots so runs wrap and removals shift.
    #[test]
    fn behaves_as_a_hash_map() {
        let mut m = SlotMap::default();
        let mut reference: HashMap<u64, u64> = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Few distinct keys, including 0 and its stand-in.
            let key = match x % 7 {
                0 => 0,
                1 => ZERO_KEY ^ 1,
                _ => (x >> 8) % 3_000,
            };
            match (x >> 40) % 4 {
                0 | 1 => {
                    m.insert(key, step);
                    reference.insert(key, step);
                }
                2 => assert_eq!(m.remove(key), reference.remove(&key), "step {step}"),
                _ => assert_eq!(m.get(key), reference.get(&key).copied(), "step {step}"),
            }
            assert_eq!(m.len(), reference.len());
            if step % 50_000 == 0 {
                m.retain(|_, v| v % 2 == 0);
                reference.retain(|_, v| *v % 2 == 0);
            }
        }
        for (k, v) in &reference {
            assert_eq!(m.get(*k), Some(*v));
        }
        if let Some(v) = m.get_mut(5) {
            *v = 1;
            assert_eq!(m.get(5), Some(1));
        }
    }

    #[test]
    fn hint_follows_the_table() {
        let hint = SlotHint::default();
        hint.prefetch(1); // nothing published yet: no address to ask for
        let mut m = SlotMap::default();
        for k in 1..1_000 {
            m.insert(k, k);
            hint.publish(&m);
        }
        assert_eq!(
            hint.base.load(Ordering::Relaxed),
            m.slots.as_ptr().cast_mut()
        );
        assert_eq!(hint.mask.load(Ordering::Relaxed), m.mask());
        hint.prefetch(7);
    }
}
