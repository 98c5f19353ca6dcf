//! The ids an import has already read, in memory that does not grow with the
//! file: ids are 64-bit hashes kept with the line they were first read on; a
//! fixed-size Bloom filter answers "never seen" for nearly every new id, the
//! recent pairs stay in a small table, and older pairs are appended to an
//! unnamed temporary file that is read back (once for a whole batch) only to
//! confirm the filter's rare "maybe".

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};

/// Filter bits (8 MiB): about one false "maybe" in 100,000 ids at 1 M rows.
const BITS: usize = 1 << 26;
/// Bit probes per id.
const PROBES: u64 = 4;
/// Pairs kept in memory before they move to the file (about 1.5 MiB).
const RECENT: usize = 1 << 16;

type Map = HashMap<u64, u64, foldhash::fast::FixedState>;

/// Ids read so far; see the module notes.
#[derive(Default)]
pub(crate) struct SeenIds {
    bits: Vec<u64>,
    recent: Map,
    file: Option<std::fs::File>,
    /// Pairs in the file.
    spilled: u64,
}

impl SeenIds {
    /// For each `(hash, line)` in order: `None` when the id is new (it is
    /// then remembered), or the line an equal id was first read on (an
    /// earlier element of the same batch included).
    pub fn admit(&mut self, keys: &[(u64, u64)]) -> crate::Result<Vec<Option<u64>>> {
        if self.bits.is_empty() {
            self.bits = vec![0; BITS / 64];
        }
        let mut out = vec![None; keys.len()];
        // Ids the filter may have seen and the table has not: the file decides.
        let mut unsure = Vec::new();
        for (i, &(h, line)) in keys.iter().enumerate() {
            if let Some(first) = self.recent.get(&h) {
                out[i] = Some(*first);
            } else if self.spilled > 0 && self.maybe(h) {
                unsure.push(i);
            } else {
                self.remember(h, line);
            }
        }
        if !unsure.is_empty() {
            let wanted: Map = unsure.iter().map(|&i| (keys[i].0, 0)).collect();
            let found = self.find_in_file(wanted)?;
            for i in unsure {
                let (h, line) = keys[i];
                // An earlier unsure element of this batch may have just been remembered.
                match found.get(&h).or_else(|| self.recent.get(&h)) {
                    Some(first) => out[i] = Some(*first),
                    None => self.remember(h, line),
                }
            }
        }
        if self.recent.len() >= RECENT {
            self.spill()?;
        }
        Ok(out)
    }

    fn probes(h: u64) -> impl Iterator<Item = usize> {
        // Double hashing: the second step comes from the hash mixed again.
        let h2 = h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29) | 1;
        (0..PROBES).map(move |k| (h.wrapping_add(k.wrapping_mul(h2)) % BITS as u64) as usize)
    }

    fn maybe(&self, h: u64) -> bool {
        Self::probes(h).all(|b| self.bits[b / 64] & (1 << (b % 64)) != 0)
    }

    fn remember(&mut self, h: u64, line: u64) {
        for b in Self::probes(h) {
            self.bits[b / 64] |= 1 << (b % 64);
        }
        self.recent.insert(h, line);
    }

    /// Move the recent pairs to the file.
    fn spill(&mut self) -> crate::Result<()> {
        let io = |e: std::io::Error| {
            crate::Error::Config(format!("import: cannot use a temporary file: {e}"))
        };
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile().map_err(io)?);
        }
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        f.seek(SeekFrom::End(0)).map_err(io)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        for (h, line) in self.recent.drain() {
            w.write_all(&h.to_le_bytes()).map_err(io)?;
            w.write_all(&line.to_le_bytes()).map_err(io)?;
            self.spilled += 1;
        }
        w.flush().map_err(io)
    }

    /// The first lines of the `wanted` hashes that are in the file.
    fn find_in_file(&mut self, mut wanted: Map) -> crate::Result<Map> {
        let io = |e: std::io::Error| {
            crate::Error::Config(format!("import: cannot read a temporary file: {e}"))
        };
        let mut found = Map::default();
        let Some(f) = self.file.as_mut() else {
            return Ok(found);
        };
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut r = BufReader::with_capacity(1 << 16, f);
        let mut pair = [0u8; 16];
        for _ in 0..self.spilled {
            r.read_exact(&mut pair).map_err(io)?;
            let (h, line) = pair.split_at(8);
            let h = u64::from_le_bytes(h.try_into().unwrap_or_default());
            if wanted.remove(&h).is_some() {
                found.insert(h, u64::from_le_bytes(line.try_into().unwrap_or_default()));
                if wanted.is_empty() {
                    break;
                }
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_found_in_memory_in_the_file_and_within_a_batch() {
        let mut s = SeenIds::default();
        // Enough ids that the earliest ones move to the file.
        let n = RECENT as u64 * 3 + 5;
        let first: Vec<(u64, u64)> = (0..n).map(|i| (i * 7919, i + 2)).collect();
        for part in first.chunks(4_000) {
            assert!(s.admit(part).unwrap().iter().all(Option::is_none));
        }
        assert!(s.spilled > 0, "the earliest ids are on disk");
        let again = [
            (0, 900_000),
            (7919 * (n - 1), 900_001),
            (42, 900_002),
            (42, 900_003),
        ];
        assert_eq!(
            s.admit(&again).unwrap(),
            [Some(2), Some(n + 1), None, Some(900_002)]
        );
    }
}
