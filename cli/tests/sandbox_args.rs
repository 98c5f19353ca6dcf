//! `wacrm sandbox` refuses settings it cannot honour before it listens.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `wacrm sandbox ARGS`; a sandbox that starts instead of refusing would
/// serve until killed, so it is killed after 30 s and the test fails.
fn sandbox(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .arg("sandbox")
        .args(["--port", "0"])
        .args(args)
        .env_remove("WACRM_ACCESS_TOKEN")
        .env_remove("WACRM_APP_SECRET")
        .env_remove("WACRM_VERIFY_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wacrm sandbox {args:?} started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    std::process::Output {
        status,
        stdout,
        stderr,
    }
}

#[test]
fn bad_rates_are_refused() {
    for mps in ["0", "-3", "NaN", "inf", "fast"] {
        let out = sandbox(&[&format!("--mps={mps}")]);
        assert_eq!(out.status.code(), Some(2), "--mps {mps}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--mps"), "--mps {mps}: {err}");
        assert!(out.stdout.is_empty(), "nothing started for --mps {mps}");
    }
}

#[test]
fn empty_secrets_are_refused() {
    for (flag, what) in [
        ("--app-secret", "app secret"),
        ("--access-token", "access token"),
        ("--verify-token", "verify token"),
    ] {
        let out = sandbox(&[&format!("{flag}=")]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        // Refused by the argument parser (empty value) or by the sandbox's own
        // check; either way the message names what was wrong.
        assert!(err.contains(what) || err.contains(flag), "{flag}: {err}");
        assert!(out.stdout.is_empty(), "nothing started for an empty {what}");
    }
}

#[test]
fn an_unknown_idempotency_mode_is_refused() {
    let out = sandbox(&["--idempotency=sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ignore or replay"), "{err}");
    assert!(out.stdout.is_empty(), "nothing started");
}
