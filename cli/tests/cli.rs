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
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"777","display_phone_number":"1"},"contacts":[{"profile":{"name":"花子"},"wa_id":"819012345678"}],"messages":[{"from":"819012345678","id":"wamid.A","timestamp":"1749416383","type":"text","text":{"body":"こんにちは 😀"}},{"from":"819012345678","id":"wamid.B","timestamp":"1749416384","type":"hologram","hologram":{"x":1}}],"statuses":[{"id":"wamid.C","status":"failed","timestamp":"1","recipient_id":"1","errors":[{"code":131047,"title":"Re-engagement message"}]}]}},{"field":"a_field_meta_adds_later","value":{"event":"APPROVED"}}]}]}"#;
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
    assert_eq!(v["contacts_imported"], 10);
    assert_eq!(v["duplicates_merged"], 1, "Ana under her second number");
    assert_eq!(v["bad_rows"], 1);
    assert_eq!(v["campaign"]["sent"], 9);
    assert_eq!(v["campaign"]["delivered"], 9);
    assert_eq!(v["campaign"]["replied"], 1);
    assert!(v["assignment"].as_str().unwrap().contains("→ ag-"));
    assert_eq!(v["sandbox_ledger_entries"], 10);
    // The steps ran as users with roles: the agent's campaign attempt was refused,
    // everything is in the audit log and the hash chain verifies.
    assert_eq!(v["audit"]["verified"], true);
    assert_eq!(v["audit"]["forbidden"], 1);
    assert!(
        v["audit"]["entries"].as_u64().unwrap() >= 10,
        "{}",
        v["audit"]
    );
    assert_eq!(
        v["contacts_exported"].as_u64().unwrap(),
        v["contacts_imported"].as_u64().unwrap() - v["duplicates_merged"].as_u64().unwrap()
    );
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
}

use wacrm::contacts::dedupe::FEBRL_MAPS;

fn febrl(name: &str) -> String {
    format!("{}/../data/febrl/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `--map M` for each mapping.
fn map_args(maps: &[&str]) -> Vec<String> {
    maps.iter()
        .flat_map(|m| ["--map".to_string(), m.to_string()])
        .collect()
}

/// Run `wacrm` with `args`; it must succeed. Returns its JSON stdout and its stderr.
fn run_json(args: &[String]) -> (serde_json::Value, String) {
    let out = wacrm().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

#[test]
fn contacts_dedupe_writes_pairs_clusters_plan_and_scores_against_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let mut args: Vec<String> = ["contacts", "dedupe", &febrl("febrl1.csv"), "--id", "rec_id"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(map_args(&FEBRL_MAPS));
    for (flag, file) in [
        ("--pairs", "pairs.csv"),
        ("--clusters", "clusters.csv"),
        ("--plan", "plan.csv"),
        ("--review", "review.csv"),
    ] {
        args.extend([flag.to_string(), out_path(file)]);
    }
    args.extend(["--truth".to_string(), febrl("febrl1_true_pairs.csv")]);
    let (v, _) = run_json(&args);
    assert_eq!(v["records"], 1000);
    assert!(v["quality"]["f1"].as_f64().unwrap() >= 0.99, "{v}");
    let pairs = std::fs::read_to_string(out_path("pairs.csv")).unwrap();
    let mut lines = pairs.lines();
    assert_eq!(lines.next(), Some("id_a,id_b,score,evidence"));
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.splitn(4, ',').collect();
        assert!(f[0] < f[1], "{l}");
        let score: f64 = f[2].parse().unwrap();
        assert!((0.8..=1.0).contains(&score), "{l}");
        assert!(f[3].contains("_name=") || f[3].contains("surname="), "{l}");
        n += 1;
    }
    assert_eq!(n, v["pairs"].as_u64().unwrap());
    let plan = std::fs::read_to_string(out_path("plan.csv")).unwrap();
    assert_eq!(
        plan.lines().count() as u64 - 1,
        v["merges"].as_u64().unwrap()
    );
    let clusters = std::fs::read_to_string(out_path("clusters.csv")).unwrap();
    assert!(clusters.starts_with("cluster,id,survivor"));
}

#[test]
fn contacts_dedupe_links_two_files_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.csv");
    // A broken copy of FEBRL4b: one row with too few fields must be reported by line.
    let mut b = std::fs::read_to_string(febrl("febrl4b.csv")).unwrap();
    b.push_str("rec-x-dup-0,only,three\n");
    let bpath = dir.path().join("b.csv");
    std::fs::write(&bpath, b).unwrap();
    let mut args: Vec<String> = vec![
        "contacts".into(),
        "dedupe".into(),
        febrl("febrl4a.csv"),
        bpath.to_string_lossy().into_owned(),
        "--link".into(),
        "--id".into(),
        "rec_id".into(),
        "--pairs".into(),
        pairs.to_string_lossy().into_owned(),
        "--truth".into(),
        febrl("febrl4_true_pairs.csv"),
    ];
    args.extend(map_args(&FEBRL_MAPS));
    let (v, stderr) = run_json(&args);
    assert_eq!(v["bad_rows"], 1);
    assert!(stderr.contains("line 5002"));
    assert!(v["quality"]["f1"].as_f64().unwrap() >= 0.99, "{v}");
    // Link mode never pairs two records of the same file.
    let text = std::fs::read_to_string(&pairs).unwrap();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        assert_ne!(f[0].contains("org"), f[1].contains("org"), "{l}");
    }
}

#[test]
fn contacts_generate_then_dedupe() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("g.csv");
    let truth = dir.path().join("t.csv");
    let out = wacrm()
        .args(["contacts", "generate", "2000", "--seed", "3", "--out"])
        .arg(&csv)
        .arg("--truth")
        .arg(&truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut args: Vec<String> = vec!["contacts".into(), "dedupe".into()];
    args.push(csv.to_string_lossy().into_owned());
    args.extend(["--id".into(), "id".into(), "--pairs".into()]);
    args.push(dir.path().join("p.csv").to_string_lossy().into_owned());
    args.push("--truth".into());
    args.push(truth.to_string_lossy().into_owned());
    args.extend(map_args(&wacrm::contacts::dedupe::synth::MAPS));
    let (v, _) = run_json(&args);
    assert_eq!(v["bad_rows"], 0);
    assert!(v["quality"]["precision"].as_f64().unwrap() > 0.9, "{v}");
}
