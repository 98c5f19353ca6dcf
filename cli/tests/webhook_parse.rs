//! `wacrm webhook parse` over the core webhook fixtures.

use std::path::PathBuf;
use std::process::Command;

use wacrm::webhook::SignatureVerifier;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/webhook")
        .join(format!("{name}.json"))
}

fn wacrm() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wacrm"));
    c.env_remove("WACRM_APP_SECRET");
    c
}

fn lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn prints_one_object_per_event() {
    let out = wacrm()
        .args(["webhook", "parse"])
        .arg(fixture("text"))
        .arg(fixture("status_failed"))
        .arg(fixture("template_status_update"))
        .arg(fixture("unknown_type"))
        .arg(fixture("errors_system"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = lines(&out);
    assert_eq!(v.len(), 5, "{v:?}");
    assert_eq!(v[0]["kind"], "message");
    assert_eq!(v[0]["phone_number_id"], "106540352242922");
    assert_eq!(v[0]["from"], "16505551234");
    assert_eq!(v[0]["type"], "text");
    assert_eq!(v[0]["timestamp"], 1749416383);
    assert_eq!(v[1]["kind"], "status");
    assert_eq!(v[1]["status"], "failed");
    assert_eq!(v[1]["recipient_id"], "16505551234");
    assert_eq!(v[1]["errors"][0]["code"], 131026);
    assert_eq!(v[1]["errors"][0]["class"], "RECIPIENT_INVALID");
    // Template status updates are typed; the field they came from rides along.
    assert_eq!(v[2]["kind"], "template_status");
    assert_eq!(v[2]["field"], "message_template_status_update");
    assert_eq!(v[3]["kind"], "message");
    assert_eq!(v[3]["type"], "hologram");
    assert_eq!(v[4]["kind"], "error");
    assert_eq!(v[4]["code"], 131000);
}

#[test]
fn verifies_the_signature_when_given() {
    let path = fixture("nonascii_escaped");
    let body = std::fs::read(&path).unwrap();
    let sig = SignatureVerifier::new("cli-secret").sign(&body);
    let ok = wacrm()
        .args([
            "webhook",
            "parse",
            "--app-secret",
            "cli-secret",
            "--signature",
            &sig,
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        lines(&ok)[0]["text"],
        "こんにちは、注文の状況を教えてください 😀🎉 äöå"
    );
    let bad = wacrm()
        .args([
            "webhook",
            "parse",
            "--app-secret",
            "other",
            "--signature",
            &sig,
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("does not match"), "{stderr}");
    assert!(!stderr.contains("other"), "secret leaked: {stderr}");
}

#[test]
fn invalid_json_fails_but_other_files_still_print() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\"entry\": [").unwrap();
    let out = wacrm()
        .args(["webhook", "parse"])
        .arg(&bad)
        .arg(fixture("status_read"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["status"], "read");
    // An app secret in the environment alone does not demand a signature.
    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .env("WACRM_APP_SECRET", "from-env")
        .args(["webhook", "parse"])
        .arg(fixture("status_read"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
