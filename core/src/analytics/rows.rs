//! CSV: one section per table, each a `# name` line, a header row and the
//! rows, sections separated by a blank line.

use super::report::{FrtStats, Report};

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn frt_cells(f: &FrtStats) -> [String; 4] {
    [
        f.n.to_string(),
        opt(f.median_s),
        opt(f.p90_s),
        f.unanswered.to_string(),
    ]
}

fn section(out: &mut String, name: &str, header: &[&str], rows: Vec<Vec<String>>) {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; a failure would only drop this section.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    let body = w
        .into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str("# ");
    out.push_str(name);
    out.push('\n');
    out.push_str(&body);
}

/// The report as CSV sections: range, frt, agents, funnel, failures,
/// hour_of_week, hot_words, anomalies, sync. In `sync`, `top_rejections` is
/// `CODE:count` pairs separated by spaces.
pub fn render_csv(r: &Report) -> String {
    let mut out = String::new();
    section(
        &mut out,
        "range",
        &["from", "to", "tz", "include_automated"],
        vec![vec![
            r.range.from.clone().unwrap_or_default(),
            r.range.to.clone().unwrap_or_default(),
            r.range.tz.clone(),
            r.range.include_automated.to_string(),
        ]],
    );
    section(
        &mut out,
        "frt",
        &["n", "median_s", "p90_s", "unanswered"],
        vec![frt_cells(&r.frt).to_vec()],
    );
    section(
        &mut out,
        "agents",
        &[
            "agent",
            "frt_n",
            "frt_median_s",
            "frt_p90_s",
            "frt_unanswered",
            "handled",
            "handle_n",
            "handle_median_s",
            "handle_p90_s",
            "open",
            "resolved",
            "load",
        ],
        r.agents
            .iter()
            .map(|a| {
                let mut row = vec![a.agent.clone()];
                row.extend(frt_cells(&a.frt));
                row.extend([
                    a.handled.to_string(),
                    a.handle_time.n.to_string(),
                    opt(a.handle_time.median_s),
                    opt(a.handle_time.p90_s),
                    a.open.to_string(),
                    a.resolved.to_string(),
                    a.load.to_string(),
                ]);
                row
            })
            .collect(),
    );
    section(
        &mut out,
        "funnel",
        &["campaign", "sent", "delivered", "read", "failed", "replied"],
        r.funnel
            .iter()
            .map(|f| {
                vec![
                    f.campaign.clone(),
                    f.sent.to_string(),
                    f.delivered.to_string(),
                    f.read.to_string(),
                    f.failed.to_string(),
                    f.replied.to_string(),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "failures",
        &["code", "count"],
        r.failures
            .iter()
            .map(|f| {
                vec![
                    f.code.map(|c| c.to_string()).unwrap_or_default(),
                    f.count.to_string(),
                ]
            })
            .collect(),
    );
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    section(
        &mut out,
        "hour_of_week",
        &["bucket", "day", "hour", "inbound"],
        r.hour_of_week
            .iter()
            .enumerate()
            .map(|(i, n)| {
                vec![
                    i.to_string(),
                    DAYS[(i / 24) % 7].to_string(),
                    (i % 24).to_string(),
                    n.to_string(),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "hot_words",
        &["word", "count"],
        r.hot_words
            .iter()
            .map(|w| vec![w.word.clone(), w.count.to_string()])
            .collect(),
    );
    section(
        &mut out,
        "anomalies",
        &["rule", "number", "days", "values", "threshold", "detail"],
        r.anomalies
            .iter()
            .map(|a| {
                vec![
                    a.rule.clone(),
                    a.number.clone().unwrap_or_default(),
                    a.days.join(" "),
                    a.values
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    a.threshold.to_string(),
                    a.detail.clone(),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "sync",
        &[
            "connector",
            "mapping",
            "attempts",
            "successes",
            "success_rate",
            "rejections",
            "top_rejections",
            "parked",
            "discrepancies",
            "latency_p50_ms",
            "latency_p99_ms",
            "lag_p50_ms",
            "lag_p99_ms",
            "updated_at",
        ],
        r.sync
            .iter()
            .map(|s| {
                vec![
                    s.connector.clone(),
                    s.mapping.clone(),
                    s.attempts.to_string(),
                    s.successes.to_string(),
                    s.success_rate.to_string(),
                    s.rejections.to_string(),
                    s.top_rejections
                        .iter()
                        .map(|t| format!("{}:{}", t.code, t.count))
                        .collect::<Vec<_>>()
                        .join(" "),
                    s.parked.to_string(),
                    s.discrepancies.to_string(),
                    opt(s.latency_p50_ms),
                    opt(s.latency_p99_ms),
                    opt(s.lag_p50_ms),
                    opt(s.lag_p99_ms),
                    s.updated_at.to_string(),
                ]
            })
            .collect(),
    );
    out
}
