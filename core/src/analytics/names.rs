//! Interned names (numbers, agents, campaigns): the running totals are keyed
//! by small integers, so updating them never hashes or clones a string.

use std::collections::HashMap;

/// A fast hasher for the analytics maps (keys are not attacker-chosen in a
/// way that matters here: a report is computed from the owner's own data).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Names and their ids, in order of first use.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    ids: FastMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    /// The id of `name`, added when new.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}
