//! A self-contained HTML report: no scripts, no fonts, no network; charts
//! are inline SVG; the layout is one column on a phone. Every figure carries
//! a `data-k` attribute so tests can find it on the rendered page.

use std::fmt::Write;

use super::report::{FrtStats, Report};

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn secs(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(s) if s < 120.0 => format!("{s:.0} s"),
        Some(s) if s < 7_200.0 => format!("{:.1} min", s / 60.0),
        Some(s) => format!("{:.1} h", s / 3_600.0),
    }
}

fn card(out: &mut String, key: &str, label: &str, value: &str) {
    let _ = write!(
        out,
        r#"<div class="card"><div class="v" data-k="{key}">{}</div><div class="l">{}</div></div>"#,
        esc(value),
        esc(label)
    );
}

fn frt_cell(f: &FrtStats) -> String {
    format!("{} · {} · n={}", secs(f.median_s), secs(f.p90_s), f.n)
}

const STYLE: &str = r#"
*{box-sizing:border-box}body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;padding:12px;color:#1b1f24;background:#f6f7f9}
main{max-width:980px;margin:0 auto}h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.05em;margin:1.4em 0 .5em}
.muted{color:#5b6470;font-size:.9em}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px}.card .v{font-size:1.4em;font-weight:600}.card .l{color:#5b6470;font-size:.85em}
.scroll{overflow-x:auto;background:#fff;border:1px solid #dde1e6;border-radius:8px}table{border-collapse:collapse;width:100%;min-width:320px}
th,td{padding:6px 8px;text-align:right;border-bottom:1px solid #eef0f3;white-space:nowrap}th:first-child,td:first-child{text-align:left}th{background:#f0f2f5;font-weight:600}
svg{max-width:100%;height:auto;display:block}.chart{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:8px}
ul.flags{padding-left:1.2em}.words{display:flex;flex-wrap:wrap;gap:6px}.words span{background:#fff;border:1px solid #dde1e6;border-radius:14px;padding:2px 10px}
"#;

fn funnel_svg(out: &mut String, r: &Report) {
    let Some(max) = r
        .funnel
        .iter()
        .map(|f| f.sent.max(f.failed))
        .max()
        .filter(|m| *m > 0)
    else {
        return;
    };
    let stages = ["sent", "delivered", "read", "replied", "failed"];
    let colors = ["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#e45756"];
    let row_h = 18;
    let h = r.funnel.len() * (stages.len() * row_h + 24) + 8;
    let _ = write!(
        out,
        r#"<div class="chart"><svg viewBox="0 0 600 {h}" role="img" aria-label="Campaign funnels">"#
    );
    let mut y = 16;
    for f in &r.funnel {
        let _ = write!(
            out,
            r#"<text x="4" y="{y}" font-size="13" font-weight="600">{}</text>"#,
            esc(&f.campaign)
        );
        y += 8;
        for (i, (stage, v)) in stages
            .iter()
            .zip([f.sent, f.delivered, f.read, f.replied, f.failed])
            .enumerate()
        {
            let w = (v as f64 / max as f64 * 420.0).round();
            let _ = write!(
                out,
                r#"<text x="4" y="{}" font-size="12">{stage}</text><rect x="90" y="{}" width="{w}" height="{}" fill="{}"/><text x="{}" y="{}" font-size="12">{v}</text>"#,
                y + 12,
                y,
                row_h - 4,
                colors[i],
                95.0 + w,
                y + 12
            );
            y += row_h;
        }
        y += 16;
    }
    out.push_str("</svg></div>");
}

fn heatmap_svg(out: &mut String, r: &Report) {
    let max = r.hour_of_week.iter().copied().max().unwrap_or(0).max(1);
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (cw, ch, left, top) = (22, 20, 36, 16);
    let _ = write!(
        out,
        r#"<div class="chart"><svg viewBox="0 0 {} {}" role="img" aria-label="Inbound messages by hour of week">"#,
        left + 24 * cw + 4,
        top + 7 * ch + 4
    );
    for h in (0..24).step_by(3) {
        let _ = write!(
            out,
            r#"<text x="{}" y="12" font-size="10">{h:02}</text>"#,
            left + h * cw + 3
        );
    }
    for (d, name) in days.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="2" y="{}" font-size="11">{name}</text>"#,
            top + d * ch + 14
        );
        for h in 0..24 {
            let n = r.hour_of_week.get(d * 24 + h).copied().unwrap_or(0);
            let a = n as f64 / max as f64;
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#2f6fb3" fill-opacity="{:.3}" stroke="#e3e7ec"><title>{name} {h:02}:00 — {n}</title></rect>"##,
                left + h * cw,
                top + d * ch,
                cw - 1,
                ch - 1,
                0.06 + 0.94 * a
            );
        }
    }
    out.push_str("</svg></div>");
}

fn millis(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(ms) if ms < 1_000.0 => format!("{ms:.0} ms"),
        Some(ms) => format!("{:.1} s", ms / 1_000.0),
    }
}

fn utc(at: crate::time::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// CRM sync health: one row per mapping; the figures tests read carry
/// `data-k` keys named after the mapping.
fn sync_table(o: &mut String, r: &Report) {
    o.push_str(r#"<h2>CRM sync</h2>"#);
    if r.sync.is_empty() {
        o.push_str(r#"<p class="muted" data-k="sync">No CRM sync has run on this store.</p>"#);
        return;
    }
    o.push_str(r#"<div class="scroll"><table><thead><tr><th>mapping</th><th>attempts</th><th>success</th><th>rejections</th><th>parked</th><th>discrepancies</th><th>latency (p50 · p99)</th><th>lag (p50 · p99)</th><th>updated</th></tr></thead><tbody>"#);
    for s in &r.sync {
        let k = esc(&s.mapping);
        let codes = s
            .top_rejections
            .iter()
            .map(|t| format!("{} {}", t.code, t.count))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            o,
            r#"<tr><td>{k}<div class="muted">{}</div></td><td data-k="sync-attempts:{k}">{}</td><td data-k="sync-success:{k}">{:.1}%</td><td><span data-k="sync-rejections:{k}">{}</span>{}</td><td data-k="sync-parked:{k}">{}</td><td data-k="sync-discrepancies:{k}">{}</td><td>{} · {}</td><td>{} · {}</td><td>{}</td></tr>"#,
            esc(&s.connector),
            s.attempts,
            s.success_rate * 100.0,
            s.rejections,
            if codes.is_empty() {
                String::new()
            } else {
                format!(r#"<div class="muted">{}</div>"#, esc(&codes))
            },
            s.parked,
            s.discrepancies,
            millis(s.latency_p50_ms),
            millis(s.latency_p99_ms),
            millis(s.lag_p50_ms),
            millis(s.lag_p99_ms),
            utc(s.updated_at)
        );
    }
    o.push_str("</tbody></table></div>");
}

/// The report as one HTML document.
pub fn render_html(r: &Report, title: &str) -> String {
    let mut o = String::with_capacity(32 * 1024);
    let _ = write!(
        o,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{}</title><style>{STYLE}</style></head><body><main>"#,
        esc(title)
    );
    let _ = write!(
        o,
        r#"<h1>{}</h1><p class="muted">{} → {} · time zone {}{}</p>"#,
        esc(title),
        esc(r.range.from.as_deref().unwrap_or("beginning")),
        esc(r.range.to.as_deref().unwrap_or("now")),
        esc(&r.range.tz),
        if r.range.include_automated {
            " · automated replies count as responses"
        } else {
            ""
        }
    );
    o.push_str(r#"<h2>First response (team)</h2><div class="cards">"#);
    card(&mut o, "frt-median", "median", &secs(r.frt.median_s));
    card(&mut o, "frt-p90", "90th percentile", &secs(r.frt.p90_s));
    card(
        &mut o,
        "frt-n",
        "answered conversations",
        &r.frt.n.to_string(),
    );
    card(
        &mut o,
        "frt-unanswered",
        "unanswered",
        &r.frt.unanswered.to_string(),
    );
    o.push_str("</div>");

    o.push_str(r#"<h2>Agents</h2><div class="scroll"><table><thead><tr><th>agent</th><th>first response (median · p90)</th><th>handled</th><th>handle time (median · p90)</th><th>open</th><th>resolved</th><th>load</th></tr></thead><tbody>"#);
    for a in &r.agents {
        let name = if a.agent == "*" { "team" } else { &a.agent };
        let k = esc(&a.agent);
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td data-k="agent-frt:{k}">{}</td><td data-k="agent-handled:{k}">{}</td><td data-k="agent-handle:{k}">{}</td><td data-k="agent-open:{k}">{}</td><td data-k="agent-resolved:{k}">{}</td><td data-k="agent-load:{k}">{}</td></tr>"#,
            esc(name),
            esc(&frt_cell(&a.frt)),
            a.handled,
            esc(&frt_cell(&a.handle_time)),
            a.open,
            a.resolved,
            a.load
        );
    }
    o.push_str("</tbody></table></div>");

    o.push_str(r#"<h2>Campaign funnels</h2>"#);
    if r.funnel.is_empty() {
        o.push_str(r#"<p class="muted">No campaign messages in this range.</p>"#);
    } else {
        o.push_str(r#"<div class="scroll"><table><thead><tr><th>campaign</th><th>sent</th><th>delivered</th><th>read</th><th>failed</th><th>replied</th></tr></thead><tbody>"#);
        for f in &r.funnel {
            let k = esc(&f.campaign);
            let _ = write!(
                o,
                r#"<tr><td>{k}</td><td data-k="funnel-sent:{k}">{}</td><td data-k="funnel-delivered:{k}">{}</td><td data-k="funnel-read:{k}">{}</td><td data-k="funnel-failed:{k}">{}</td><td data-k="funnel-replied:{k}">{}</td></tr>"#,
                f.sent, f.delivered, f.read, f.failed, f.replied
            );
        }
        o.push_str("</tbody></table></div>");
        funnel_svg(&mut o, r);
    }

    o.push_str(r#"<h2>Failures by error code</h2>"#);
    if r.failures.is_empty() {
        o.push_str(r#"<p class="muted">No failures.</p>"#);
    } else {
        o.push_str(r#"<div class="scroll"><table><thead><tr><th>code</th><th>count</th></tr></thead><tbody>"#);
        for f in &r.failures {
            let code = f
                .code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "none".into());
            let _ = write!(
                o,
                r#"<tr><td>{code}</td><td data-k="failure:{code}">{}</td></tr>"#,
                f.count
            );
        }
        o.push_str("</tbody></table></div>");
    }

    let total: u64 = r.hour_of_week.iter().sum();
    let _ = write!(
        o,
        r#"<h2>Inbound by hour of week</h2><p class="muted"><span data-k="inbound-total">{total}</span> inbound messages, darker is busier.</p>"#
    );
    heatmap_svg(&mut o, r);

    o.push_str(r#"<h2>Hot words</h2><div class="words">"#);
    for w in &r.hot_words {
        let _ = write!(
            o,
            r#"<span>{} <b data-k="word:{}">{}</b></span>"#,
            esc(&w.word),
            esc(&w.word),
            w.count
        );
    }
    if r.hot_words.is_empty() {
        o.push_str(r#"<p class="muted">No inbound text.</p>"#);
    }
    o.push_str("</div>");

    o.push_str(r#"<h2>Anomalies</h2>"#);
    if r.anomalies.is_empty() {
        o.push_str(r#"<p class="muted" data-k="anomalies">none</p>"#);
    } else {
        o.push_str(r#"<ul class="flags" data-k="anomalies">"#);
        for a in &r.anomalies {
            let _ = write!(
                o,
                "<li><b>{}</b>{} — {}: {}</li>",
                esc(&a.rule),
                a.number
                    .as_ref()
                    .map(|n| format!(" (number {})", esc(n)))
                    .unwrap_or_default(),
                esc(&a.days.join(", ")),
                esc(&a.detail)
            );
        }
        o.push_str("</ul>");
    }
    sync_table(&mut o, r);
    o.push_str("</main></body></html>\n");
    o
}
