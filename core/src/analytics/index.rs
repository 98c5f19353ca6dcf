//! An index from keys to positions in a vector that already holds the keys
//! (messages by id, threads by number and customer): the map stores only the
//! key's 64-bit hash and the position, so a key is never copied into the map
//! and a lookup hashes the key once. Keys whose hash collides with another
//! key's are kept in a short list per hash; the caller says whether the item
//! at a position has the key it looks for.

use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use super::names::FastMap;

/// The map's own hasher: its keys are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashMapPrehashed<V> = std::collections::HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// Hash → position, with the positions of colliding keys kept apart.
#[derive(Default)]
pub(crate) struct HashIndex {
    state: foldhash::fast::RandomState,
    first: HashMapPrehashed<u32>,
    /// Further positions whose key has a hash already in `first`.
    spill: FastMap<u64, Vec<u32>>,
}

impl HashIndex {
    /// The hash of `key` to look up or insert with.
    pub fn hash<K: Hash + ?Sized>(&self, key: &K) -> u64 {
        self.state.hash_one(key)
    }

    /// The position whose item has the key (`same` tells), among those
    /// inserted under hash `h`.
    pub fn get(&self, h: u64, same: impl Fn(u32) -> bool) -> Option<u32> {
        let first = *self.first.get(&h)?;
        if same(first) {
            return Some(first);
        }
        self.spill.get(&h)?.iter().copied().find(|i| same(*i))
    }

    /// [`get`](Self::get), and when the key is absent, record `new` as its
    /// position (one probe of the map either way).
    pub fn get_or_insert(&mut self, h: u64, new: u32, same: impl Fn(u32) -> bool) -> Option<u32> {
        match self.first.entry(h) {
            Entry::Vacant(v) => {
                v.insert(new);
                None
            }
            Entry::Occupied(o) => {
                let first = *o.get();
                if same(first) {
                    return Some(first);
                }
                let list = self.spill.entry(h).or_default();
                if let Some(i) = list.iter().copied().find(|i| same(*i)) {
                    return Some(i);
                }
                list.push(new);
                None
            }
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
        assert_eq!(ix.get(8, |_| true), None);
    }
}
