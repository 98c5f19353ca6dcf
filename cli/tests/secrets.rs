//! Secrets stay out of the CLI's output: `--help` of every subcommand (found
//! by walking the help's command lists, so new ones are covered) never shows
//! an environment value, and a store URL that cannot be opened is echoed
//! without its password.

use std::process::Command;

const SECRETS: &[(&str, &str)] = &[
    ("WACRM_ACCESS_TOKEN", "tok-SECRET-1111"),
    ("WACRM_APP_SECRET", "app-SECRET-2222"),
    ("WACRM_VERIFY_TOKEN", "verify-SECRET-3333"),
    ("WACRM_DB", "postgres://u:db-SECRET-4444@localhost/crm"),
    ("WACRM_BASE_URL", "https://u:base-SECRET-5555@graph.example"),
    (
        "WACRM_WEBHOOK_URL",
        "https://hook.example/?k=hook-SECRET-6666",
    ),
    ("WACRM_PHONE_NUMBER_ID", "pnid-SECRET-7777"),
    ("WACRM_API_VERSION", "ver-SECRET-8888"),
];

fn wacrm() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wacrm"));
    for (k, v) in SECRETS {
        c.env(k, v);
    }
    c
}

/// Subcommand names listed under `Commands:` in a help text.
fn subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            in_commands = true;
            continue;
        }
        if in_commands {
            // Entries are indented; the section ends at a blank or unindented line.
            if !line.starts_with("  ") {
                in_commands = false;
                continue;
            }
            if let Some(name) = line.split_whitespace().next()
                && line[2..].starts_with(name)
                && name != "help"
            {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[test]
fn no_help_shows_an_environment_value() {
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        let out = wacrm().args(&path).arg("--help").output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "wacrm {path:?} --help: {text}");
        for (k, v) in SECRETS {
            assert!(
                !text.contains(v),
                "`wacrm {} --help` shows the value of {k}:\n{text}",
                path.join(" ")
            );
        }
        seen += 1;
        for s in subcommands(&text) {
            let mut p = path.clone();
            p.push(s);
            todo.push(p);
        }
    }
    // The root, its subcommands and their nested ones (send kinds, contacts, ...).
    assert!(seen >= 15, "only {seen} help pages found");
}

#[test]
fn an_unopenable_store_url_is_echoed_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "phone\n+447700900123\n").unwrap();
    let missing = dir.path().join("no/such/dir/x.db");
    for url in [
        "postgres://admin:pw-SECRET-9999@127.0.0.1:1/crm".to_string(),
        format!("sqlite://{}?password=pw-SECRET-9999", missing.display()),
        "mysql://admin:pw-SECRET-9999@127.0.0.1:1/crm".to_string(),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
            .args(["contacts", "import", "--map", "phone=phone", "--db", &url])
            .arg(&csv)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{url} opened: {text}");
        assert!(!text.contains("pw-SECRET-9999"), "password echoed: {text}");
    }
}

#[test]
fn empty_secrets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("b.json");
    std::fs::write(&body, "{}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .env_remove("WACRM_APP_SECRET")
        .args([
            "webhook",
            "parse",
            "--app-secret",
            "",
            "--signature",
            "sha256=00",
        ])
        .arg(&body)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--app-secret"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["contacts", "import", "--map", "phone=phone", "--db", ""])
        .arg(&body)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--db"), "{err}");
}
