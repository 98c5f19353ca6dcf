//! The audit hash chain: canonical bytes, sealing, checkpoint signatures and
//! the verifier.
//!
//! Canonical bytes of an entry (version 1) are the fields in this fixed order,
//! each written as a 4-byte big-endian length followed by its UTF-8 bytes:
//! `seq` (decimal), `at` (decimal epoch ms), `actor`, `action`, `target`,
//! `client_id` (empty when absent), `outcome` (`ok`/`forbidden`/`failed`) and
//! `details` as canonical JSON (object keys sorted by their UTF-8 bytes, no
//! whitespace, strings and numbers as serde_json writes them).
//! `hash = hex(SHA-256(prev_hash_hex || canonical_bytes))`; the first entry's
//! `prev_hash` is 64 zeros ([`GENESIS`]). Because `seq` is hashed, a removed or
//! reordered entry breaks the chain even where each entry alone looks intact.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::store::{AuditCheckpoint, AuditEntry, CheckpointKind};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Canonical JSON: sorted keys, no whitespace (independent of map ordering features).
pub fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The entry's canonical bytes (see the module doc).
pub fn canonical_bytes(e: &AuditEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    field(&mut out, e.seq.to_string().as_bytes());
    field(&mut out, e.at.to_string().as_bytes());
    field(&mut out, e.actor.as_bytes());
    field(&mut out, e.action.as_bytes());
    field(&mut out, e.target.as_bytes());
    field(&mut out, e.client_id.as_deref().unwrap_or("").as_bytes());
    field(&mut out, e.outcome.as_str().as_bytes());
    let mut details = String::new();
    canonical_json(&e.details, &mut details);
    field(&mut out, details.as_bytes());
    out
}

/// `hex(SHA-256(prev_hash || canonical_bytes(e)))`.
pub fn entry_hash(prev_hash: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical_bytes(e));
    const_hex::encode(h.finalize())
}

/// Give `e` its place in the chain: position `seq` after an entry hashed `prev_hash`.
pub fn seal(e: &mut AuditEntry, seq: u64, prev_hash: &str) {
    e.seq = seq;
    if e.client_id.as_deref() == Some("") {
        e.client_id = None;
    }
    e.prev_hash = prev_hash.to_string();
    e.hash = entry_hash(prev_hash, e);
}

fn checkpoint_text(c: &AuditCheckpoint) -> String {
    format!(
        "wacrm-audit-checkpoint-v1\n{}\n{}\n{}\n{}",
        c.kind.as_str(),
        c.seq,
        c.hash,
        c.at
    )
}

/// HMAC-SHA256 (hex) of a checkpoint with `key`.
pub fn sign_checkpoint(c: &AuditCheckpoint, key: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(checkpoint_text(c).as_bytes());
    const_hex::encode(mac.finalize().into_bytes())
}

/// Whether the checkpoint carries a valid signature for `key` (constant-time compare).
pub fn checkpoint_signed_by(c: &AuditCheckpoint, key: &[u8]) -> bool {
    let Some(sig) = c.signature.as_deref() else {
        return false;
    };
    let Ok(sig) = const_hex::decode(sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(checkpoint_text(c).as_bytes());
    mac.verify_slice(&sig).is_ok()
}

/// What is wrong with an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Its content no longer matches its hash, or it was replaced.
    Edited,
    /// One or more entries are missing.
    Removed,
    /// Entries are out of order.
    Reordered,
    /// The log ends before a checkpoint's entry.
    Truncated,
    /// An entry without a hash after the chain began.
    Unsealed,
    /// A checkpoint's signature does not verify.
    Checkpoint,
}

/// The first entry that does not verify, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditProblem {
    /// The entry's sequence number.
    pub seq: u64,
    /// Class.
    pub kind: ProblemKind,
    /// Explanation.
    pub reason: String,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {}: {} ({})",
            self.seq,
            serde_json::to_value(self.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            self.reason
        )
    }
}

/// Result of verifying the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerification {
    /// Entries checked (chained ones).
    pub entries: u64,
    /// Entries written before the chain existed (no hash), at the start of the log.
    pub legacy: u64,
    /// Last sequence number seen.
    pub last_seq: u64,
    /// Hash of the last entry (the chain head).
    pub head_hash: String,
    /// Checkpoints considered.
    pub checkpoints: u64,
    /// Whether checkpoint signatures were checked (a key was given).
    pub signatures_checked: bool,
    /// The first problem, if any.
    pub problem: Option<AuditProblem>,
}

impl AuditVerification {
    /// No problem found.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Streaming verifier: feed entries in store order, then [`Verifier::finish`].
#[derive(Debug)]
pub struct Verifier {
    checkpoints: Vec<AuditCheckpoint>,
    expected: Option<u64>,
    prev_hash: String,
    sealed: bool,
    report: AuditVerification,
    /// A gap at `expected` seen at entry `at`; resolved as reordered if `expected` shows up later.
    gap: Option<(u64, u64)>,
}

impl Verifier {
    /// A verifier for a log with these checkpoints; `key` checks their signatures.
    pub fn new(mut checkpoints: Vec<AuditCheckpoint>, key: Option<&[u8]>) -> Verifier {
        checkpoints.sort_by_key(|c| c.seq);
        let mut report = AuditVerification {
            checkpoints: checkpoints.len() as u64,
            signatures_checked: key.is_some(),
            ..Default::default()
        };
        if let Some(key) = key
            && let Some(bad) = checkpoints.iter().find(|c| !checkpoint_signed_by(c, key))
        {
            report.problem = Some(AuditProblem {
                seq: bad.seq,
                kind: ProblemKind::Checkpoint,
                reason: format!(
                    "the {} checkpoint at entry {} is {}",
                    bad.kind.as_str(),
                    bad.seq,
                    if bad.signature.is_some() {
                        "not signed by the configured key"
                    } else {
                        "unsigned"
                    }
                ),
            });
        }
        let purge = checkpoints
            .iter()
            .filter(|c| c.kind == CheckpointKind::Purge)
            .max_by_key(|c| c.seq)
            .cloned();
        let (expected, prev_hash) = match &purge {
            Some(p) => (Some(p.seq + 1), p.hash.clone()),
            None => (None, GENESIS.to_string()),
        };
        Verifier {
            sealed: purge.is_some(),
            checkpoints,
            expected,
            prev_hash,
            report,
            gap: None,
        }
    }

    /// Whether a problem was found (feeding more entries changes nothing then,
    /// except resolving a gap as a reorder).
    pub fn failed(&self) -> bool {
        self.report.problem.is_some()
    }

    fn fail(&mut self, seq: u64, kind: ProblemKind, reason: String) {
        if self.report.problem.is_none() {
            self.report.problem = Some(AuditProblem { seq, kind, reason });
        }
    }

    /// Check the next entry.
    pub fn push(&mut self, e: &AuditEntry) {
        if let Some((missing, at)) = self.gap {
            if e.seq == missing {
                self.gap = None;
                self.report.problem = None;
                self.fail(
                    at,
                    ProblemKind::Reordered,
                    format!("entry {at} comes before entry {missing}"),
                );
            }
            return;
        }
        if self.failed() {
            return;
        }
        if e.hash.is_empty() {
            if self.sealed {
                self.fail(
                    e.seq,
                    ProblemKind::Unsealed,
                    "no hash, after the chain began".into(),
                );
            } else {
                self.report.legacy += 1;
                self.report.last_seq = e.seq;
                self.expected = Some(e.seq + 1);
            }
            return;
        }
        self.sealed = true;
        let expected = self.expected.unwrap_or(1);
        if e.seq != expected {
            if e.seq > expected {
                let reason = if e.seq == expected + 1 {
                    format!("entry {expected} is missing (found {} next)", e.seq)
                } else {
                    format!(
                        "entries {expected}..{} are missing (found {} next)",
                        e.seq - 1,
                        e.seq
                    )
                };
                self.fail(expected, ProblemKind::Removed, reason);
                self.gap = Some((expected, e.seq));
            } else {
                self.fail(
                    e.seq,
                    ProblemKind::Reordered,
                    format!("entry {} appears where entry {expected} belongs", e.seq),
                );
            }
            return;
        }
        if entry_hash(&e.prev_hash, e) != e.hash {
            self.fail(
                e.seq,
                ProblemKind::Edited,
                "its content does not match its hash".into(),
            );
            return;
        }
        if e.prev_hash != self.prev_hash {
            let (seq, reason) = if e.seq > 1 && self.report.entries > 0 {
                (
                    e.seq - 1,
                    format!(
                        "it was replaced: entry {} chains to a different hash",
                        e.seq
                    ),
                )
            } else {
                (
                    e.seq,
                    "its previous hash does not match the start of the chain".into(),
                )
            };
            self.fail(seq, ProblemKind::Edited, reason);
            return;
        }
        if let Some(c) = self
            .checkpoints
            .iter()
            .find(|c| c.seq == e.seq && c.hash != e.hash)
        {
            self.fail(
                e.seq,
                ProblemKind::Edited,
                format!("the {} checkpoint names another hash", c.kind.as_str()),
            );
            return;
        }
        self.prev_hash = e.hash.clone();
        self.expected = Some(e.seq + 1);
        self.report.entries += 1;
        self.report.last_seq = e.seq;
        self.report.head_hash = e.hash.clone();
    }

    /// Finish: checks the tail against the last checkpoint.
    pub fn finish(mut self) -> AuditVerification {
        if !self.failed() {
            let end = self.expected.map(|x| x - 1).unwrap_or(0);
            if let Some(c) = self.checkpoints.iter().rev().find(|c| c.seq > end) {
                let seq = end + 1;
                let reason = format!(
                    "the log ends at entry {end} but a {} checkpoint names entry {} (hash {})",
                    c.kind.as_str(),
                    c.seq,
                    c.hash
                );
                self.fail(seq, ProblemKind::Truncated, reason);
            }
        }
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AuditOutcome;

    fn chain(n: u64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let mut e = AuditEntry::new(i as i64 * 10, "user:ana", "send", format!("c{i}"));
                e.details = serde_json::json!({"b": 1, "a": [i, "x"]});
                seal(&mut e, i, &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn run(es: &[AuditEntry], cps: Vec<AuditCheckpoint>, key: Option<&[u8]>) -> AuditVerification {
        let mut v = Verifier::new(cps, key);
        for e in es {
            v.push(e);
        }
        v.finish()
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let mut s = String::new();
        canonical_json(
            &serde_json::json!({"z": {"b": 1, "a": null}, "a": "é\""}),
            &mut s,
        );
        assert_eq!(s, r#"{"a":"é\"","z":{"a":null,"b":1}}"#);
    }

    #[test]
    fn an_intact_chain_verifies() {
        let r = run(&chain(5), vec![], None);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!((r.entries, r.last_seq), (5, 5));
    }

    #[test]
    fn each_tampering_is_named() {
        let mut edited = chain(5);
        edited[2].outcome = AuditOutcome::Forbidden;
        let p = run(&edited, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (3, ProblemKind::Edited));

        let mut removed = chain(5);
        removed.remove(1);
        let p = run(&removed, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (2, ProblemKind::Removed));

        let mut swapped = chain(5);
        swapped.swap(1, 2);
        let p = run(&swapped, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (3, ProblemKind::Reordered));

        // A forged replacement that is internally consistent still breaks the link.
        let mut replaced = chain(5);
        replaced[1].actor = "user:mallory".into();
        let prev = replaced[0].hash.clone();
        seal(&mut replaced[1], 2, &prev);
        let p = run(&replaced, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (2, ProblemKind::Edited), "{p}");
    }

    #[test]
    fn truncation_is_caught_by_a_head_checkpoint_and_signatures_are_checked() {
        let full = chain(5);
        let key = b"k3y";
        let mut cp = AuditCheckpoint {
            seq: 5,
            hash: full[4].hash.clone(),
            at: 60,
            kind: CheckpointKind::Head,
            signature: None,
        };
        cp.signature = Some(sign_checkpoint(&cp, key));
        assert!(run(&full, vec![cp.clone()], Some(key)).is_ok());
        let p = run(&full[..3], vec![cp.clone()], Some(key))
            .problem
            .unwrap();
        assert_eq!((p.seq, p.kind), (4, ProblemKind::Truncated), "{p}");
        let p = run(&full, vec![cp.clone()], Some(b"other"))
            .problem
            .unwrap();
        assert_eq!(p.kind, ProblemKind::Checkpoint);
    }

    #[test]
    fn a_purged_prefix_starts_the_chain_at_its_checkpoint() {
        let full = chain(5);
        let cp = AuditCheckpoint {
            seq: 2,
            hash: full[1].hash.clone(),
            at: 30,
            kind: CheckpointKind::Purge,
            signature: None,
        };
        assert!(run(&full[2..], vec![cp.clone()], None).is_ok());
        let p = run(&full[3..], vec![cp], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (3, ProblemKind::Removed));
        // Without the checkpoint, a missing prefix is a removal.
        let p = run(&full[2..], vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (1, ProblemKind::Removed));
    }

    #[test]
    fn legacy_entries_before_the_chain_are_counted_not_failed() {
        let mut legacy = AuditEntry::new(1, "assignment", "conversation.assign", "cv1");
        legacy.seq = 1;
        let mut prev = GENESIS.to_string();
        let mut es = vec![legacy.clone()];
        for i in 2..=3 {
            let mut e = AuditEntry::new(i, "a", "b", "c");
            seal(&mut e, i as u64, &prev);
            prev = e.hash.clone();
            es.push(e);
        }
        let r = run(&es, vec![], None);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!((r.legacy, r.entries), (1, 2));
        legacy.seq = 4;
        es.push(legacy);
        assert_eq!(
            run(&es, vec![], None).problem.unwrap().kind,
            ProblemKind::Unsealed
        );
    }
}
