//! The subscription handshake and `X-Hub-Signature-256` verification.
//!
//! HMAC-SHA-256 is put together here from `sha2`'s compression function
//! (the key's two padded blocks absorbed once, RFC 2104) instead of taken
//! whole from the `hmac` crate: a body's blocks can then be hashed one at a
//! time between the parser's steps (`Tag`), so the CPU works on the hash
//! while it reads the JSON. A property test checks every tag against `hmac`.

use secrecy::{ExposeSecret, SecretString};
use sha2::digest::generic_array::GenericArray;
use sha2::digest::typenum::U64;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Why a webhook was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// No `X-Hub-Signature-256` header.
    Missing,
    /// Not `sha256=<64 hex digits>`.
    Malformed,
    /// The HMAC does not match the body.
    Mismatch,
}

impl SignatureProblem {
    pub(super) fn into_error(self) -> Error {
        Error::Webhook(self.message().to_string())
    }

    fn message(self) -> &'static str {
        match self {
            SignatureProblem::Missing => "missing X-Hub-Signature-256 header",
            SignatureProblem::Malformed => {
                "malformed X-Hub-Signature-256 header (expected sha256=<hex>)"
            }
            SignatureProblem::Mismatch => "X-Hub-Signature-256 does not match the body",
        }
    }
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

const BLOCK: usize = 64;

fn compress(state: &mut [u32; 8], block: &[u8]) {
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

const _: () = assert!(
    std::mem::size_of::<GenericArray<u8, U64>>() == BLOCK
        && std::mem::align_of::<GenericArray<u8, U64>>() == 1
);

/// Several whole blocks in one call: the state stays in registers between
/// them.
fn compress_blocks(state: &mut [u32; 8], blocks: &[u8]) {
    // SAFETY: `GenericArray<u8, U64>` is `repr(transparent)` over `[u8; 64]`
    // (size 64, alignment 1: asserted above), so the first `len / 64 * 64`
    // bytes are that many whole blocks.
    let whole: &[GenericArray<u8, U64>] =
        unsafe { std::slice::from_raw_parts(blocks.as_ptr().cast(), blocks.len() / BLOCK) };
    sha2::compress256(state, whole);
}

fn state_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The HMAC of one body, computed a block at a time: the blocks of the
/// padded inner message (body, 0x80, zeros, length), then the outer block.
pub(super) struct Tag {
    state: [u32; 8],
    outer: [u32; 8],
    /// Bytes of the padded inner message hashed so far.
    fed: usize,
    done: Option<[u8; 32]>,
}

impl Tag {
    fn new(keyed: &Keyed) -> Self {
        Tag {
            state: keyed.inner,
            outer: keyed.outer,
            fed: 0,
            done: None,
        }
    }

    /// Hash the next block of the HMAC of `body`; `false` when the HMAC is
    /// complete. The body's bytes are all there from the start, so any
    /// block can be hashed at any time.
    pub(super) fn feed_block(&mut self, body: &[u8]) -> bool {
        if let Some(block) = body.get(self.fed..self.fed + BLOCK) {
            compress(&mut self.state, block);
        } else if self.fed < padded_len(body.len()) {
            compress(&mut self.state, &padded_block(body, self.fed));
        } else if self.done.is_none() {
            let mut outer = [0u8; BLOCK];
            outer[..32].copy_from_slice(&state_bytes(&self.state));
            outer[32] = 0x80;
            outer[BLOCK - 8..].copy_from_slice(&((BLOCK as u64 + 32) * 8).to_be_bytes());
            compress(&mut self.outer, &outer);
            self.done = Some(state_bytes(&self.outer));
            return true;
        } else {
            return false;
        }
        self.fed += BLOCK;
        true
    }

    fn finish(mut self, body: &[u8]) -> [u8; 32] {
        // Whole blocks in one call, then the padding and the outer block.
        let whole = body.len() / BLOCK * BLOCK;
        if self.fed < whole {
            compress_blocks(&mut self.state, &body[self.fed..whole]);
            self.fed = whole;
        }
        while self.feed_block(body) {}
        self.done.unwrap_or_default()
    }
}

/// Length of the inner message once padded: the key block is not counted,
/// the 0x80 byte and the 8-byte length are.
fn padded_len(len: usize) -> usize {
    (len + 9).div_ceil(BLOCK) * BLOCK
}

/// The padded inner message's block at `start`, where it runs past the body.
fn padded_block(body: &[u8], start: usize) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let rest = body.get(start..).unwrap_or_default();
    let n = rest.len().min(BLOCK);
    block[..n].copy_from_slice(&rest[..n]);
    if let Some(end) = body.len().checked_sub(start).filter(|&e| e < BLOCK) {
        block[end] = 0x80;
    }
    if start + BLOCK == padded_len(body.len()) {
        let bits = (BLOCK as u64 + body.len() as u64) * 8;
        block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
    }
    block
}

/// The app secret absorbed: SHA-256 states after the inner and the outer
/// padded key block. As secret as the key; never printed.
#[derive(Clone)]
struct Keyed {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Keyed {
    fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| {
            let mut padded = block;
            padded.iter_mut().for_each(|b| *b ^= byte);
            let mut state = H0;
            compress(&mut state, &padded);
            state
        };
        Keyed {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }
}

/// Verifies webhook signatures with the app secret. The secret never appears in
/// Debug output.
#[derive(Clone)]
pub struct SignatureVerifier {
    keyed: Keyed,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignatureVerifier { secret: [redacted] }")
    }
}

impl SignatureVerifier {
    /// Use this app secret.
    pub fn new(app_secret: impl Into<String>) -> Self {
        Self::from_secret(SecretString::from(app_secret.into()))
    }

    /// Use this app secret, already held as a secret.
    pub fn from_secret(app_secret: SecretString) -> Self {
        SignatureVerifier {
            keyed: Keyed::new(app_secret.expose_secret().as_bytes()),
        }
    }

    /// Check `header` (the `X-Hub-Signature-256` value) against the raw body
    /// bytes, in constant time. Never re-serialize the body before this: Meta
    /// signs the exact bytes it sent.
    pub fn verify(&self, body: &[u8], header: Option<&str>) -> Result<()> {
        self.check(body, header)
            .map_err(SignatureProblem::into_error)
    }

    /// Like [`SignatureVerifier::verify`] with the reason as a value.
    pub fn check(
        &self,
        body: &[u8],
        header: Option<&str>,
    ) -> std::result::Result<(), SignatureProblem> {
        let expected = Self::expected(header)?;
        self.matches(self.start(), body, &expected)
    }

    /// The signature a header carries.
    pub(super) fn expected(
        header: Option<&str>,
    ) -> std::result::Result<[u8; 32], SignatureProblem> {
        let header = header.ok_or(SignatureProblem::Missing)?.trim();
        let hex_sig = header
            .strip_prefix("sha256=")
            .ok_or(SignatureProblem::Malformed)?;
        // Exactly 64 digits (const-hex would also take a `0x` prefix).
        if hex_sig.len() != 64 {
            return Err(SignatureProblem::Malformed);
        }
        const_hex::decode_to_array(hex_sig).map_err(|_| SignatureProblem::Malformed)
    }

    /// A body's HMAC, to be fed block by block.
    pub(super) fn start(&self) -> Tag {
        Tag::new(&self.keyed)
    }

    /// Finish `tag` over the rest of `body` and compare, in constant time.
    pub(super) fn matches(
        &self,
        tag: Tag,
        body: &[u8],
        expected: &[u8; 32],
    ) -> std::result::Result<(), SignatureProblem> {
        // Compared as four words: constant time still, with a quarter of
        // the optimisation barriers of a byte-wise compare.
        let words = |b: &[u8; 32]| -> [u64; 4] {
            std::array::from_fn(|i| u64::from_ne_bytes(std::array::from_fn(|k| b[i * 8 + k])))
        };
        match bool::from(words(&tag.finish(body)).ct_eq(&words(expected))) {
            true => Ok(()),
            false => Err(SignatureProblem::Mismatch),
        }
    }

    /// The header value for `body` (for tests and local simulators).
    pub fn sign(&self, body: &[u8]) -> String {
        format!("sha256={}", const_hex::encode(self.start().finish(body)))
    }
}

/// Answer the GET subscription handshake: `Ok(challenge)` to echo with 200, or
/// an error to answer 403.
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_token: &str,
) -> Result<String> {
    if mode != Some("subscribe") {
        return Err(Error::Webhook("hub.mode must be subscribe".into()));
    }
    let given = token.ok_or_else(|| Error::Webhook("hub.verify_token missing".into()))?;
    // Constant time even for the verify token: it is a shared secret too.
    if given.len() != expected_token.len()
        || !bool::from(given.as_bytes().ct_eq(expected_token.as_bytes()))
    {
        return Err(Error::Webhook("hub.verify_token does not match".into()));
    }
    challenge
        .map(str::to_string)
        .ok_or_else(|| Error::Webhook("hub.challenge missing".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_raw_bytes_including_non_ascii() {
        let v = SignatureVerifier::new("s3cret");
        for body in [
            "{\"a\":1}".as_bytes(),
            "{\"t\":\"こんにちは 😀\"}".as_bytes(),
            b"{\"t\":\"\\u3053\\u3093\"}",
        ] {
            let sig = v.sign(body);
            assert!(v.verify(body, Some(&sig)).is_ok());
            let mut tampered = body.to_vec();
            tampered.push(b' ');
            assert_eq!(
                v.check(&tampered, Some(&sig)),
                Err(SignatureProblem::Mismatch)
            );
        }
        assert_eq!(v.check(b"{}", None), Err(SignatureProblem::Missing));
        assert_eq!(
            v.check(b"{}", Some("sha1=abc")),
            Err(SignatureProblem::Malformed)
        );
        assert_eq!(
            v.check(b"{}", Some("sha256=zz")),
            Err(SignatureProblem::Malformed)
        );
        let e = v.verify(b"{}", Some("sha256=00")).unwrap_err();
        assert_eq!(e.code(), "WEBHOOK");
        assert!(!format!("{v:?}").contains("s3cret"));
    }

    proptest::proptest! {
        #[test]
        fn tags_match_the_hmac_crate(
            key in proptest::collection::vec(proptest::num::u8::ANY, 0..150),
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            fed in 0usize..4,
        ) {
            use hmac::{Hmac, Mac};
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
            mac.update(&body);
            let want = hex::encode(mac.finalize().into_bytes());
            let v = SignatureVerifier {
                keyed: Keyed::new(&key),
            };
            proptest::prop_assert_eq!(v.sign(&body), format!("sha256={want}"));
            // Fed in steps between other work, the tag is the same.
            let mut tag = v.start();
            for _ in 0..fed * 5 {
                tag.feed_block(&body);
            }
            let mut raw = [0u8; 32];
            hex::decode_to_slice(&want, &mut raw).unwrap();
            proptest::prop_assert!(v.matches(tag, &body, &raw).is_ok());
        }
    }

    #[test]
    fn handshake() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("tok"), Some("123"), "tok").unwrap(),
            "123"
        );
        assert!(verify_subscription(Some("subscribe"), Some("bad"), Some("1"), "tok").is_err());
        assert!(verify_subscription(Some("unsubscribe"), Some("tok"), Some("1"), "tok").is_err());
        assert!(verify_subscription(Some("subscribe"), None, Some("1"), "tok").is_err());
    }
}
