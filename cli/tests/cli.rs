//! The `wacrm` binary end to end: send (success and classified error), phone
//! normalize, webhook parse with signatures, and the demo.

use std::io::Write;
use std::process::{Command, Stdio};

use wacrm_sandbox::{Sandbox, SandboxConfig};

fn wacrm() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wacrm"));
    c.env_remove("WACRM_ACCESS_TOKEN")
        .env_remove("WACRM_BASE_URL")
        .env_remove("WACRM_PHONE_NUMBER_ID");
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn send_prints_the_response_or_the_classified_error() {
    let h = Sandbox::start(SandboxConfig::default().phone_number("777"))
        .await
        .unwrap();
    let base = h.base_url();
    let token = h.access_token();
    let out = tokio::task::spawn_blocking(move || {
        wacrm()
            .args([
                "send",
                "template",
                "--from",
                "777",
                "--to",
                "+1 650 555 1234",
                "--name",
                "hello_world",
            ])
            .env("WACRM_BASE_URL", &base)
            .env("WACRM_ACCESS_TOKEN", &token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.")
    );
    assert_eq!(h.ledger().len(), 1);

    let base = h.base_url();
    let out = tokio::task::spawn_blocking(move || {
        wacrm()
            .args([
                "send",
                "text",
                "--from",
                "777",
                "--to",
                "16505551234",
                "--body",
                "hi",
                "--token",
                "wrong",
            ])
            .env("WACRM_BASE_URL", &base)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "AUTH");
    assert_eq!(v["error"]["graph_code"], 190);
    assert_eq!(v["error"]["http_status"], 401);
    assert_eq!(v["error"]["retryable"], false);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("wrong"),
        "the token is not echoed"
    );
}

#[test]
fn phone_normalize_csv_and_jsonl() {
    let mut child = wacrm()
        .args(["phone", "normalize", "--region", "JP"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("090-1234-5678\n+52 55 1234 5678\nnope\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "input,e164,region,type,valid,wa_id,error");
    assert_eq!(
        lines[1],
        "090-1234-5678,+819012345678,JP,mobile,true,819012345678,"
    );
    assert!(
        lines[2].starts_with("+52 55 1234 5678,+525512345678,MX,")
            && lines[2].contains(",5215512345678,")
    );
    assert!(lines[3].starts_with("nope,,,,false,,"));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.txt");
    std::fs::write(&f, "+44 7400 123456\n").unwrap();
    let out = wacrm()
        .args(["phone", "normalize", "--format", "jsonl"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["e164"], "+447400123456");
    let out = wacrm()
        .args(["phone", "normalize", "--region", "XX"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn webhook_parse_verifies_and_never_fails_on_unknown_types() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"777","display_phone_number":"1"},"contacts":[{"profile":{"name":"花子"},"wa_id":"819012345678"}],"messages":[{"from":"819012345678","id":"wamid.A","timestamp":"1749416383","type":"text","text":{"body":"こんにちは 😀"}},{"from":"819012345678","id":"wamid.B","timestamp":"1749416384","type":"hologram","hologram":{"x":1}}],"statuses":[{"id":"wamid.C","status":"failed","timestamp":"1","recipient_id":"1","errors":[{"code":131047,"title":"Re-engagement message"}]}]}},{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}"#;
    let f = dir.path().join("body.json");
    std::fs::write(&f, body).unwrap();
    let sig = wacrm::webhook::SignatureVerifier::new("s3cret").sign(body.as_bytes());
    let out = wacrm()
        .args([
            "webhook",
            "parse",
            "--app-secret",
            "s3cret",
            "--signature",
            &sig,
        ])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["kind"], "message");
    assert_eq!(events[0]["text"], "こんにちは 😀");
    assert_eq!(events[0]["phone_number_id"], "777");
    assert_eq!(events[1]["type"], "hologram");
    assert_eq!(events[2]["kind"], "status");
    assert_eq!(events[2]["errors"][0]["class"], "OUTSIDE_WINDOW");
    assert_eq!(events[3]["kind"], "unknown");
    let bad = wacrm()
        .args([
            "webhook",
            "parse",
            "--app-secret",
            "other",
            "--signature",
            &sig,
        ])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "not json").unwrap();
    assert_eq!(
        wacrm()
            .args(["webhook", "parse"])
            .arg(&junk)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn demo_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = wacrm()
        .args(["demo", "--json", "--db"])
        .arg(dir.path().join("demo.db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["contacts_imported"], 9);
    assert_eq!(v["bad_rows"], 1);
    assert_eq!(v["campaign"]["sent"], 9);
    assert_eq!(v["campaign"]["delivered"], 9);
    assert_eq!(v["campaign"]["replied"], 1);
    assert!(v["assignment"].as_str().unwrap().contains("→ ag-"));
    assert_eq!(v["sandbox_ledger_entries"], 10);
}

#[test]
fn contacts_import_reports_bad_rows_and_stores_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        "ID,Name,Mobile\n1,Ana,+55 11 98765-4321\n2,Bad,abc\n3,花子,090-1234-5678\n",
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("c.db").display());
    let out = wacrm()
        .args(["contacts", "import"])
        .arg(&csv)
        .args([
            "--id",
            "ID",
            "--map",
            "Name=name",
            "--map",
            "Mobile=phone",
            "--region",
            "JP",
            "--db",
            &db,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["imported"], 2);
    assert_eq!(v["bad_rows"][0]["line"], 3);
    let out = wacrm()
        .args(["contacts", "dedupe", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "dedupe is not built yet and says so"
    );
}
