//! Store URLs carry passwords (`postgres://user:pw@host/db`,
//! `?password=...`): everything that echoes a URL — errors, logs, CLI
//! messages — goes through [`redact_url`] or [`redact_in`] first.

/// Query parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "password",
    "pass",
    "pwd",
    "sslpassword",
    "token",
    "secret",
    "access_token",
];

/// The URL with its password (userinfo and secret query parameters) replaced
/// by `***`: `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let auth_end = rest.find(['/', '#']).unwrap_or(rest.len());
            let (auth, path) = rest.split_at(auth_end);
            match auth.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
                    None => base.to_string(),
                },
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    if let Some(q) = query {
        out.push('?');
        let parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if is_secret_param(k) => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

fn is_secret_param(k: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(k))
}

/// The secrets a URL carries: the userinfo password and secret query values,
/// each as written and percent-decoded (a driver may echo either).
fn secrets_of(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    if let Some((_, rest)) = base.split_once("://") {
        let auth = &rest[..rest.find(['/', '#']).unwrap_or(rest.len())];
        if let Some((userinfo, _)) = auth.rsplit_once('@')
            && let Some((_, pw)) = userinfo.split_once(':')
        {
            out.push(pw.to_string());
        }
    }
    for kv in query.unwrap_or("").split('&') {
        if let Some((k, v)) = kv.split_once('=')
            && is_secret_param(k)
        {
            out.push(v.to_string());
        }
    }
    let decoded: Vec<String> = out
        .iter()
        .map(|s| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    out.extend(decoded);
    out.retain(|s| !s.is_empty());
    // Longest first, so a secret that contains another is replaced whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` (an error message, a log line) with `url` and every secret it
/// carries replaced by their redacted forms.
pub fn redact_in(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact_url(url));
    for s in secrets_of(url) {
        out = out.replace(&s, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_password_is_hidden() {
        assert_eq!(
            redact_url("postgres://user:s3cr%40t@db.example:5432/crm?sslmode=require"),
            "postgres://user:***@db.example:5432/crm?sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://u:p@h/db?password=x&application_name=a"),
            "postgresql://u:***@h/db?password=***&application_name=a"
        );
        assert_eq!(redact_url("sqlite://./crm.db"), "sqlite://./crm.db");
        assert_eq!(redact_url("postgres://user@h/db"), "postgres://user@h/db");
        assert_eq!(redact_url("memory:"), "memory:");
    }

    #[test]
    fn secrets_in_text_are_hidden_raw_and_decoded() {
        let url = "postgres://user:s3cr%40t@h/db?password=hunter2";
        let msg = format!("cannot connect to {url}: password s3cr@t or hunter2 refused");
        let r = redact_in(&msg, url);
        assert!(!r.contains("s3cr"), "{r}");
        assert!(!r.contains("hunter2"), "{r}");
        assert!(r.contains("postgres://user:***@h/db?password=***"), "{r}");
    }
}
