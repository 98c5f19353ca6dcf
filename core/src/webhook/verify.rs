//! The subscription handshake and `X-Hub-Signature-256` verification.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

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

/// Verifies webhook signatures with the app secret. The secret never appears in
/// Debug output.
#[derive(Clone)]
pub struct SignatureVerifier {
    // The HMAC keyed once (inner and outer pads absorbed); cloned per body.
    keyed: Hmac<Sha256>,
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
            keyed: Hmac::<Sha256>::new_from_slice(app_secret.expose_secret().as_bytes())
                .expect("HMAC takes any key length"),
        }
    }

    /// Check `header` (the `X-Hub-Signature-256` value) against the raw body
    /// bytes, in constant time. Never re-serialize the body before this: Meta
    /// signs the exact bytes it sent.
    pub fn verify(&self, body: &[u8], header: Option<&str>) -> Result<()> {
        self.check(body, header)
            .map_err(|p| Error::Webhook(p.message().to_string()))
    }

    /// Like [`SignatureVerifier::verify`] with the reason as a value.
    pub fn check(
        &self,
        body: &[u8],
        header: Option<&str>,
    ) -> std::result::Result<(), SignatureProblem> {
        let header = header.ok_or(SignatureProblem::Missing)?.trim();
        let hex_sig = header
            .strip_prefix("sha256=")
            .ok_or(SignatureProblem::Malformed)?;
        if hex_sig.len() != 64 {
            return Err(SignatureProblem::Malformed);
        }
        let mut raw = [0u8; 32];
        hex::decode_to_slice(hex_sig, &mut raw).map_err(|_| SignatureProblem::Malformed)?;
        let mut mac = self.keyed.clone();
        mac.update(body);
        mac.verify_slice(&raw)
            .map_err(|_| SignatureProblem::Mismatch)
    }

    /// The header value for `body` (for tests and local simulators).
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.keyed.clone();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
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
    use subtle::ConstantTimeEq;
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
