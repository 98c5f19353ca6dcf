//! An index from keys to positions in a vector that already holds the keys
//! (messages by id, threads by number and customer): a key is never copied
//! into the index, and a lookup hashes the key once.
//!
//! The index is one flat open-addressing table of 8-byte slots, each the
//! upper 32 bits of a key's hash and the position: a lookup reads one cache
//! line of slots (linear probing) and asks the caller whether the item at a
//! matching position has the key, so keys whose hashes agree are still told
//! apart. With millions of messages the table is far larger than the cache,
//! and a general hash map's separate control bytes and buckets cost a second
//! cache miss per lookup; this is the engine's most frequent operation.

use std::hash::{BuildHasher, Hash};

/// Hash → position, for positions below `u32::MAX`.
#[derive(Default)]
pub(crate) struct HashIndex {
    state: foldhash::fast::RandomState,
    /// `tag << 32 | (position + 1)`, 0 when empty; length a power of two
    /// (or 0 before the first insert).
    slots: Vec<u64>,
    len: usize,
}

impl HashIndex {
    /// The hash of `key` to look up or insert with.
    pub fn hash<K: Hash + ?Sized>(&self, key: &K) -> u64 {
        self.state.hash_one(key)
    }

    /// The slot's tag, the hash's upper half: it also gives the slot's
    /// place, so growing needs no key.
    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// The position whose item has the key (`same` tells), among those
    /// inserted under hash `h`.
    pub fn get(&self, h: u64, same: impl Fn(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.probe(h, same).ok()
    }

    /// [`get`](Self::get), and when the key is absent, record `new` as its
    /// position (one probe sequence either way).
    pub fn get_or_insert(&mut self, h: u64, new: u32, same: impl Fn(u32) -> bool) -> Option<u32> {
        assert!(new < u32::MAX, "positions are below u32::MAX");
        // At most 3/4 full, so a probe sequence stays short.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        match self.probe(h, same) {
            Ok(pos) => Some(pos),
            Err(i) => {
                self.slots[i] = (u64::from(Self::tag(h)) << 32) | u64::from(new + 1);
                self.len += 1;
                None
            }
        }
    }

    /// The probe sequence of hash `h` in a non-empty table: `Ok` with the
    /// position whose item has the key, or `Err` with the empty slot that
    /// ends the sequence (where the key would go).
    fn probe(&self, h: u64, same: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let tag = Self::tag(h);
        let mask = self.slots.len() - 1;
        let mut i = tag as usize & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return Err(i);
            }
            if (s >> 32) as u32 == tag {
                let pos = (s as u32) - 1;
                if same(pos) {
                    return Ok(pos);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Twice the slots; every entry placed again by its tag.
    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![0; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| *s != 0) {
            let mut i = (s >> 32) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_hashes_keep_their_keys_apart() {
        let keys = ["a", "b", "c", "d"];
        let mut ix = HashIndex::default();
        // Every key under the same hash, and one under its own.
        for (i, k) in keys.iter().enumerate() {
            let h = if *k == "d" { ix.hash(k) } else { 7 };
            assert_eq!(
                ix.get_or_insert(h, i as u32, |j| keys[j as usize] == *k),
                None
            );
        }
        for (i, k) in keys.iter().enumerate() {
            let h = if *k == "d" { ix.hash(k) } else { 7 };
            assert_eq!(ix.get(h, |j| keys[j as usize] == *k), Some(i as u32));
            assert_eq!(
                ix.get_or_insert(h, 99, |j| keys[j as usize] == *k),
                Some(i as u32)
            );
        }
        assert_eq!(ix.get(7, |j| keys[j as usize] == "e"), None);
        assert_eq!(ix.get(8 << 32, |_| true), None);
    }

    #[test]
    fn many_keys_across_growth_and_shared_tags() {
        let keys: Vec<String> = (0..50_000).map(|i| format!("wamid.{i}")).collect();
        let mut ix = HashIndex::default();
        // Every 7th key under one of a few hashes, so tags repeat a lot.
        let h = |ix: &HashIndex, i: usize| {
            if i.is_multiple_of(7) {
                (i % 3) as u64
            } else {
                ix.hash(keys[i].as_str())
            }
        };
        for i in 0..keys.len() {
            let hi = h(&ix, i);
            assert_eq!(
                ix.get_or_insert(hi, i as u32, |j| keys[j as usize] == keys[i]),
                None
            );
        }
        for i in 0..keys.len() {
            let hi = h(&ix, i);
            assert_eq!(ix.get(hi, |j| keys[j as usize] == keys[i]), Some(i as u32));
            assert_eq!(
                ix.get_or_insert(hi, 0, |j| keys[j as usize] == keys[i]),
                Some(i as u32)
            );
        }
        assert_eq!(
            ix.get(ix.hash("absent"), |j| keys[j as usize] == "absent"),
            None
        );
    }
}
