//! Shared output helpers: JSON on stdout, classified errors, "not built yet".

use std::process::ExitCode;

/// Print a subcommand that waits for a capability and exit 2 (no fake output).
#[allow(dead_code)]
pub fn not_built(what: &str, capability: &str) -> ExitCode {
    eprintln!("wacrm {what}: not built yet; it waits for capability {capability} (see README)");
    ExitCode::from(2)
}

/// Print an error as the SPEC's JSON shape on stdout and return exit code 1.
#[allow(dead_code)]
pub fn print_error(e: &wacrm::Error) -> ExitCode {
    let d = e.details();
    let v = serde_json::json!({"error": {
        "kind": d.kind,
        "code": d.code,
        "graph_code": d.graph_code,
        "graph_subcode": d.graph_subcode,
        "message": d.message,
        "fbtrace_id": d.fbtrace_id,
        "http_status": d.http_status,
        "retryable": d.retryable,
        "retry_after_ms": d.retry_after_ms,
    }});
    println!("{v}");
    ExitCode::from(1)
}
