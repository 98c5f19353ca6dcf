//! Analytics: the full report recomputed from 10 M messages in memory
//! (`report_from_facts`: threads, conversation starts, first-response time
//! per agent and team, funnels, failures, hour-of-week, anomalies; on all
//! cores, as DuckDB), and the
//! incremental engine's cost per event (messages and status webhooks applied
//! one by one). Anchor: DuckDB computing only the team FRT (n, median, p90,
//! unanswered) and the campaign funnel over the same rows in the same run
//! (queries timed, loading not). Both answers are compared.
//! cargo bench -p wacrm-benches --bench analytics
//! Env: WACRM_BENCH_PYTHON (an interpreter with duckdb installed),
//! WACRM_BENCH_ANALYTICS_MESSAGES (default 10000000).

use std::io::Write;
use std::time::Instant;

use wacrm::analytics::{
    Engine, Event, MessageFact, Report, ReportConfig, StatusEvent, StatusFact, report_from_facts,
};
use wacrm::store::MessageStatus;
use wacrm_benches::{Rng, run_anchor, thread_cpu_time, workspace_path};

const H: i64 = 3_600_000;
const NUMBERS: usize = 200;
const AGENTS: usize = 500;
const CAMPAIGNS: usize = 50;

/// One generated message with the statuses it will receive.
struct Gen {
    fact: MessageFact,
    statuses: Vec<StatusEvent>,
    thread: usize,
    seq: usize,
    responds: bool,
}

/// Inbound texts as customers write them: several languages and scripts,
/// typed with capitals, accents and full-width forms. Every inbound message
/// carries one, so the hot-word count runs on every inbound event.
const TEXTS: &[&str] = &[
    "Hi, where is my order? It was supposed to arrive yesterday",
    "Is the SALE still valid in store or only online?",
    "I want a refund, the product arrived broken",
    "Do you ship to Canada? How much is shipping?",
    "thanks!",
    "ok",
    "Can I change the delivery address for order 48213?",
    "Hola, ¿cuándo llega mi pedido? Ya pasó una semana",
    "Quiero cambiar la talla, me queda pequeño",
    "¿Tienen envío gratis a Monterrey?",
    "Olá, meu pedido ainda não chegou. Podem verificar?",
    "Qual o prazo de entrega para São Paulo?",
    "Quero cancelar a compra, por favor",
    "我的订单什么时候发货？",
    "请问可以退款吗？商品有质量问题",
    "这个优惠券怎么用",
    "注文した商品がまだ届きません",
    "セールはいつまでですか？",
    "返品したいのですが、どうすればいいですか",
    "Halo, apakah barang ini masih tersedia?",
    "Pesanan saya belum sampai, tolong dicek",
    "مرحبا، أين طلبي؟",
    "मेरा ऑर्डर कब आएगा?",
    "ＤＩＳＣＯＵＮＴ ＣＯＤＥ ｎｏｔ ｗｏｒｋｉｎｇ",
    "Bonjour, je voudrais suivre ma commande",
    "Wann kommt meine Bestellung an?",
    "PRICE?",
    "Do you have this in size M? And in blue?",
    "The discount code SPRING20 does not work at checkout",
    "Can I talk to a person please",
];

/// Threads of about 20 messages over a month: bursts of conversation
/// separated by gaps (some over 24 h, so threads hold several conversation
/// starts), human and automated replies, campaign messages with
/// sent/delivered/read/failed ladders.
fn generate(total: usize, rng: &mut Rng) -> Vec<Gen> {
    let mut out = Vec::with_capacity(total);
    let mut thread = 0usize;
    while out.len() < total {
        let len = (5 + rng.below(31)).min(total - out.len());
        let mut t = (rng.below(5 * 24) as i64) * H;
        for _ in 0..len {
            t += if rng.below(10) < 3 {
                25 * H + rng.below(48) as i64 * H
            } else {
                1_000 + rng.below(2 * 3_600) as i64 * 1_000
            };
            let seq = out.len();
            let inbound = rng.below(2) == 0;
            let automated = !inbound && rng.below(100) < 15;
            let campaign = (!inbound && rng.below(10) == 0).then(|| rng.below(CAMPAIGNS));
            let mut status = StatusFact::default();
            let mut statuses = Vec::new();
            if !inbound {
                let id = format!("m{seq}");
                let ev = |s: MessageStatus, at: i64, code: Option<i64>| StatusEvent {
                    message_id: id.clone(),
                    status: s,
                    at,
                    code,
                };
                statuses.push(ev(MessageStatus::Sent, t, None));
                let r = rng.below(100);
                if r < 3 {
                    statuses.push(ev(MessageStatus::Failed, t + 10_000, Some(131_026)));
                } else if r < 8 {
                    statuses.push(ev(MessageStatus::Read, t + 60_000, None));
                } else if r < 93 {
                    statuses.push(ev(MessageStatus::Delivered, t + 5_000, None));
                    if rng.below(10) < 6 {
                        statuses.push(ev(MessageStatus::Read, t + 60_000, None));
                    }
                }
                for s in &statuses {
                    status.apply(s.status, s.at, s.code);
                }
            }
            out.push(Gen {
                fact: MessageFact {
                    id: format!("m{seq}"),
                    number: format!("n{}", thread % NUMBERS),
                    customer: format!("c{thread}"),
                    inbound,
                    at: t,
                    agent: (!inbound && !automated).then(|| format!("a{}", rng.below(AGENTS))),
                    automated,
                    campaign: campaign.map(|c| format!("camp{c:02}")),
                    text: inbound.then(|| TEXTS[rng.below(TEXTS.len())].to_string()),
                    complaint: false,
                    status,
                },
                statuses,
                thread,
                seq,
                responds: !inbound && !automated,
            });
        }
        thread += 1;
    }
    out
}

fn write_csv(gens: &[Gen], path: &std::path::Path) {
    let f = std::fs::File::create(path).expect("csv file");
    let mut w = std::io::BufWriter::new(f);
    writeln!(
        w,
        "thread,seq,inbound,t,responds,campaign,sent,delivered,read,failed"
    )
    .unwrap();
    for g in gens {
        let st = &g.fact.status;
        let campaign = g
            .fact
            .campaign
            .as_deref()
            .map(|c| {
                c.trim_start_matches("camp")
                    .trim_start_matches('0')
                    .to_string()
            })
            .map(|c| if c.is_empty() { "0".to_string() } else { c })
            .unwrap_or_default();
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{}",
            g.thread,
            g.seq,
            g.fact.inbound,
            g.fact.at,
            g.responds,
            campaign,
            st.reached(MessageStatus::Sent),
            st.reached(MessageStatus::Delivered),
            st.reached(MessageStatus::Read),
            st.failed(),
        )
        .unwrap();
    }
    w.flush().unwrap();
}

fn ms(s: Option<f64>) -> Option<i64> {
    s.map(|x| (x * 1000.0).round() as i64)
}

fn compare(ours: &Report, anchor: &serde_json::Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let f = &anchor["frt"];
    let pairs = [
        ("frt n", Some(ours.frt.n as i64), f["n"].as_i64()),
        (
            "frt median ms",
            ms(ours.frt.median_s),
            f["median_ms"].as_i64(),
        ),
        ("frt p90 ms", ms(ours.frt.p90_s), f["p90_ms"].as_i64()),
        (
            "unanswered",
            Some(ours.frt.unanswered as i64),
            f["unanswered"].as_i64(),
        ),
    ];
    for (what, a, b) in pairs {
        if a != b {
            diffs.push(format!("{what}: wacrm {a:?}, duckdb {b:?}"));
        }
    }
    let theirs = anchor["funnel"].as_array().cloned().unwrap_or_default();
    if theirs.len() != ours.funnel.len() {
        diffs.push(format!(
            "funnel rows: wacrm {}, duckdb {}",
            ours.funnel.len(),
            theirs.len()
        ));
    }
    for (row, t) in ours.funnel.iter().zip(&theirs) {
        let mine = [row.sent, row.delivered, row.read, row.failed, row.replied];
        let other: Vec<u64> = (1..6).map(|i| t[i].as_u64().unwrap_or(u64::MAX)).collect();
        if mine[..] != other[..] {
            diffs.push(format!(
                "{}: wacrm {mine:?}, duckdb {other:?}",
                row.campaign
            ));
        }
    }
    diffs
}

fn main() {
    let total: usize = std::env::var("WACRM_BENCH_ANALYTICS_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut rng = Rng(0xa11a_0001_00c5_0001);
    let t0 = Instant::now();
    let gens = generate(total, &mut rng);
    let statuses: usize = gens.iter().map(|g| g.statuses.len()).sum();
    println!(
        "{} messages in {} threads, {statuses} status events (generated in {:.1} s)",
        gens.len(),
        gens.last().map_or(0, |g| g.thread + 1),
        t0.elapsed().as_secs_f64()
    );
    let cfg = ReportConfig::default();

    // Full recompute from the rows in memory (best of 3).
    let facts: Vec<MessageFact> = gens.iter().map(|g| g.fact.clone()).collect();
    let mut best = f64::MAX;
    let mut report = None;
    for _ in 0..3 {
        let start = Instant::now();
        let r = report_from_facts(&facts, &[], &[], &cfg);
        best = best.min(start.elapsed().as_secs_f64());
        report = Some(r);
    }
    let report = report.expect("report");
    // The same recompute without hot words (`top: 0`): everything else of
    // the report (FRT per agent and team, funnels, failures, hour of week,
    // handle time, anomalies), still more than the anchor computes.
    let no_words = ReportConfig {
        top: 0,
        ..cfg.clone()
    };
    let mut best_nw = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let r = report_from_facts(&facts, &[], &[], &no_words);
        best_nw = best_nw.min(start.elapsed().as_secs_f64());
        assert_eq!(
            (r.frt.clone(), r.funnel.clone()),
            (report.frt.clone(), report.funnel.clone())
        );
        assert!(r.hot_words.is_empty());
    }
    drop(facts);
    println!(
        "wacrm recompute (full report, {} threads): {best:.2} s ({:.0} ns/message); FRT n {} median {:?} s p90 {:?} s, {} unanswered",
        rayon::current_num_threads(),
        best * 1e9 / total as f64,
        report.frt.n,
        report.frt.median_s,
        report.frt.p90_s,
        report.frt.unanswered
    );
    println!(
        "wacrm recompute without hot words (top 0; every other figure of the report): {best_nw:.2} s ({:.0} ns/message)",
        best_nw * 1e9 / total as f64
    );

    // The anchor's rows are written now: the incremental run below consumes
    // the generated events.
    let dir = std::env::temp_dir().join(format!("wacrm-analytics-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv = dir.join("messages.csv");
    write_csv(&gens, &csv);

    // Incremental: every message, then its statuses, applied one event at a time
    // (messages in the order they were generated: per thread, in time order).
    // `Engine::apply` takes the event by value, as a webhook handler hands it
    // over: the timed loop moves each generated event in (no copy), and the
    // engine keeps what it needs and drops the rest, which is timed with it.
    let mut engine = Engine::new(cfg.clone());
    let mut events = 0usize;
    let cpu0 = thread_cpu_time();
    let start = Instant::now();
    for g in gens {
        let Gen {
            mut fact, statuses, ..
        } = g;
        // The message arrives before its statuses, which then arrive one by one.
        fact.status = StatusFact::default();
        events += 1 + statuses.len();
        engine.apply(Event::Message(fact));
        for s in statuses {
            engine.apply(Event::Status(s));
        }
    }
    let inc = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_time()
        .zip(cpu0)
        .map_or(f64::NAN, |(a, b)| a.saturating_sub(b).as_secs_f64());
    println!(
        "wacrm incremental: {events} events in {inc:.2} s = {:.0} ns/event wall clock, {:.0} ns/event of the thread's CPU time (events moved in, not copied)",
        inc * 1e9 / events as f64,
        cpu * 1e9 / events as f64
    );
    println!("engine paths: {:?}", engine.path_counts());
    let inc_report = engine.report();
    println!(
        "incremental report equals the recompute: {}",
        inc_report.frt == report.frt && inc_report.funnel == report.funnel
    );
    drop(engine);
    let script = workspace_path("benches/anchors/analytics_duckdb.py");
    match run_anchor(&script, &[csv.to_str().expect("utf-8 path")]) {
        Ok(out) => {
            let v: serde_json::Value = serde_json::from_str(&out).expect("anchor JSON");
            let secs = v["seconds"].as_f64().unwrap_or(f64::NAN);
            println!("DuckDB (anchor; team FRT + funnel only, all cores): {secs:.2} s");
            println!("ratio recompute vs DuckDB: {:.2}x", secs / best);
            println!(
                "ratio recompute without hot words vs DuckDB: {:.2}x",
                secs / best_nw
            );
            let diffs = compare(&report, &v);
            if diffs.is_empty() {
                println!(
                    "DuckDB and wacrm agree on FRT n/median/p90/unanswered and every funnel row"
                );
            } else {
                println!("DuckDB and wacrm DISAGREE:");
                for d in diffs {
                    println!("  {d}");
                }
            }
        }
        Err(e) => println!("DuckDB anchor skipped: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
