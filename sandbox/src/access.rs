//! Who may talk to the sandbox: the bearer token (compared in constant time)
//! and the Host header (checked against the listen address, so a web page on
//! another origin cannot reach a loopback sandbox through DNS rebinding).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::state::State;

/// Whether `given` equals `expected`, in time independent of where they differ
/// and of their lengths (both are hashed first, so only digests are compared).
pub fn token_matches(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

/// The token of an `Authorization: Bearer …` header, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Which Host header values the sandbox answers.
#[derive(Clone, Debug)]
pub struct HostPolicy {
    bound: IpAddr,
    allowed: Vec<String>,
}

impl HostPolicy {
    /// Policy for a server bound to `addr` that also answers the names in `allowed`.
    pub fn new(addr: SocketAddr, allowed: &[String]) -> Self {
        HostPolicy {
            bound: addr.ip(),
            allowed: allowed.iter().map(|h| h.to_ascii_lowercase()).collect(),
        }
    }

    /// Whether a request carrying this Host header value is answered.
    ///
    /// Loopback names and addresses are always accepted (a loopback client can
    /// always reach the port); a server bound to one address also accepts that
    /// address; a server bound to every interface accepts any IP literal. Other
    /// names only when configured — a browser sends the attacker's name after a
    /// DNS rebinding, and that is what this refuses.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return false;
        };
        let name = strip_port(host).to_ascii_lowercase();
        if name.is_empty() {
            return false;
        }
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if self.allowed.iter().any(|a| a == &name) {
            return true;
        }
        let literal = name.trim_start_matches('[').trim_end_matches(']');
        match literal.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound || self.bound.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `host[:port]` or `[v6][:port]` without its port.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.find(']') {
            Some(end) => &host[..end + 2],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Refuses requests whose Host header the policy does not accept (421).
pub async fn host_guard(AxState(state): AxState<Arc<State>>, req: Request, next: Next) -> Response {
    let host = req.headers().get("host").and_then(|v| v.to_str().ok());
    if !state.host_policy.allows(host) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            axum::Json(json!({"error": "this sandbox does not answer that Host name"})),
        )
            .into_response();
    }
    next.run(req).await
}

/// Refuses control-API requests without the sandbox's access token (401).
pub async fn control_auth(
    AxState(state): AxState<Arc<State>>,
    req: Request,
    next: Next,
) -> Response {
    let ok = bearer(req.headers()).is_some_and(|t| token_matches(t, &state.access_token));
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer")],
            axum::Json(json!({"error": "the control API needs the sandbox access token (Authorization: Bearer …)"})),
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(addr: &str) -> HostPolicy {
        HostPolicy::new(addr.parse().unwrap(), &["sandbox.test".to_string()])
    }

    #[test]
    fn loopback_accepts_loopback_names_only() {
        let p = policy("127.0.0.1:8089");
        for ok in [
            "127.0.0.1:8089",
            "localhost:8089",
            "LOCALHOST",
            "app.localhost:1",
            "[::1]:8089",
            "127.0.0.2",
            "sandbox.test:80",
        ] {
            assert!(p.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example:8089",
            "10.0.0.5:8089",
            "",
            "localhost.evil.example",
        ] {
            assert!(!p.allows(Some(bad)), "{bad}");
        }
        assert!(!p.allows(None));
    }

    #[test]
    fn wildcard_accepts_ip_literals_but_not_unknown_names() {
        let p = policy("0.0.0.0:8089");
        assert!(p.allows(Some("192.168.1.20:8089")));
        assert!(!p.allows(Some("rebind.example:8089")));
        let p = policy("192.168.1.20:8089");
        assert!(p.allows(Some("192.168.1.20:8089")));
        assert!(!p.allows(Some("192.168.1.21:8089")));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abd", "abc"));
        assert!(!token_matches("ab", "abc"));
        assert!(!token_matches("", "abc"));
    }
}
