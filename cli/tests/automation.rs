//! `wacrm automation test`: rules file + JSON lines in, one decision per line out.

use std::io::Write;
use std::process::{Command, Stdio};

const RULES: &str = r#"
[business_hours]
timezone = "America/Sao_Paulo"
holidays = ["2026-12-25"]
[business_hours.weekly]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"
[sensitive_words]
words = ["senha", "password"]

[[rules]]
id = "closed"
keywords = ["price", "preço", "价格"]
when = "out_of_hours"
priority = 10
actions = [{ reply = 'Hi {{first_name|default:"there"}}, we will answer at {{next_open}}.' }]

[[rules]]
id = "shipping"
keywords = ["frete", "envío", "shipping", "配送", "运费"]
cooldown = "30m"
actions = [{ reply = "Shipping takes 2 days." }, { tag = "asked-shipping" }]

[[rules]]
id = "discount"
keywords = ["discount", "desconto"]
min_count = 3
actions = [{ tag = "price-sensitive" }]

[[timers]]
id = "nudge"
after = "24h"
actions = [{ reply = "Still there?" }]
"#;

fn run(rules: &str, input: &str, extra: &[&str]) -> (std::process::Output, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, rules).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["automation", "test", "--rules"])
        .arg(&path)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out, lines)
}

#[test]
fn one_object_per_line_with_state_across_lines() {
    let input = [
        // Wednesday 22:00 in São Paulo.
        r#"{"text": "price?", "from": "5511999990000", "at": "2026-03-04T22:00:00-03:00", "name": "Ana Souza"}"#,
        r#"{"text": "e o frete?", "from": "5511999990000", "at": "2026-03-05T10:00:00-03:00"}"#,
        r#"{"text": "frete de novo", "from": "5511999990000", "at": "2026-03-05T10:10:00-03:00"}"#,
        r#"{"text": "discount", "from": "5511999990000", "at": "2026-03-05T10:11:00-03:00"}"#,
        r#"{"text": "desconto?", "from": "5511999990000", "at": "2026-03-05T10:12:00-03:00"}"#,
        r#"{"text": "DISCOUNT!!", "from": "5511999990000", "at": "2026-03-05T10:13:00-03:00"}"#,
        r#"{"text": "I want to talk to a person", "from": "5511999990000", "at": "2026-03-05T10:14:00-03:00"}"#,
        r#"{"text": "shipping", "from": "5511999990000", "at": "2026-03-05T11:00:00-03:00"}"#,
        r#"{"text": "your password is 1", "from": "5511999990000", "direction": "out", "at": "2026-03-05T11:01:00-03:00"}"#,
    ]
    .join("\n");
    let (out, v) = run(RULES, &input, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v.len(), 9);
    assert_eq!(v[0]["rules"], serde_json::json!(["closed"]));
    assert_eq!(v[0]["actions"][1]["type"], "reply");
    assert_eq!(
        v[0]["actions"][1]["text"],
        "Hi Ana, we will answer at amanhã às 9:00."
    );
    assert_eq!(v[1]["rules"], serde_json::json!(["shipping"]));
    assert!(
        v[1]["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("asked-shipping"))
    );
    // Cooldown of 30 minutes.
    assert_eq!(v[2]["rules"], serde_json::json!([]));
    assert!(
        v[2]["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("cooldown")
    );
    // Counter: the third "discount" tags.
    assert_eq!(v[4]["rules"], serde_json::json!([]));
    assert_eq!(v[5]["rules"], serde_json::json!(["discount"]));
    assert!(
        v[5]["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("price-sensitive"))
    );
    // Handoff, then quiet.
    assert_eq!(v[6]["handoff"], true);
    assert!(
        v[6]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"] == "handoff")
    );
    assert_eq!(v[7]["rules"], serde_json::json!([]));
    assert_eq!(v[7]["handoff"], false);
    // Outgoing text with a sensitive word.
    assert_eq!(v[8]["blocked"], true);
    assert_eq!(v[8]["actions"][0]["type"], "block");
    assert!(
        v[8]["actions"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("password")
    );
}

#[test]
fn timers_fire_between_lines_and_tz_reads_local_times() {
    let input = [
        r#"{"text": "Here is your quote", "from": "819012345678", "direction": "out", "at": "2026-03-04T12:00:00"}"#,
        r#"{"text": "価格は？", "from": "819012345678", "at": "2026-03-05T13:00:00"}"#,
    ]
    .join("\n");
    let (out, v) = run(RULES, &input, &["--tz", "Asia/Tokyo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 25 hours later the no-reply timer has fired (reported on the next line).
    assert_eq!(v[1]["timers"][0]["timer"], "nudge");
    assert_eq!(v[1]["timers"][0]["actions"][0]["text"], "Still there?");
    // 13:00 Thursday in Tokyo with Tokyo hours: open, so the out-of-hours rule does not fire.
    assert_eq!(v[1]["rules"], serde_json::json!([]));
}

#[test]
fn a_bad_rules_file_is_refused_with_its_line() {
    let bad = "[[rules]]\nid = \"a\"\nkeywords = [\"x\"]\nmatch = \"fuzzy\"\nactions = [{ tag = \"t\" }]\n";
    let (out, _) = run(bad, "", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 4") && err.contains("unknown match mode"),
        "{err}"
    );
    let (out, _) = run(RULES, "{\"text\": 5}\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    let (out, _) = run(
        RULES,
        "{\"text\": \"x\", \"at\": \"2026-03-04T12:00:00\"}\n",
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tz"));
}
