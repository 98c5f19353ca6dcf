//! Automation keyword matching: 500 rules with 2,000 keywords in mixed scripts
//! (Latin with accents, Cyrillic, Greek, Japanese, Chinese, Thai, Arabic), word
//! mode for scripts with spaces and contains mode for scripts without, over a
//! generated mix of customer messages (about a third mention a keyword).
//! wacrm's single-pass `KeywordSet::find` (folding included) against a naive
//! per-keyword scan of the folded text in the same run, and against Python's
//! `pyahocorasick` over the same keywords and pre-folded messages.
//! cargo bench -p wacrm-benches --bench automation
//! Env: WACRM_BENCH_PYTHON (an interpreter with pyahocorasick installed).

use std::collections::BTreeSet;
use std::time::Duration;

use wacrm::automation::{Entry, KeywordSet, MatchMode, fold, fold_into, is_spaceless};
use wacrm_benches::{Rng, run_anchor, time_for_cpu, workspace_path};

const RULES: usize = 500;
const KEYWORDS: usize = 2_000;
const MESSAGES: usize = 10_000;

/// Syllables per script; words are built from them so keywords are distinct
/// but share prefixes, as real vocabularies do.
const SCRIPTS: &[(&str, &[&str])] = &[
    (
        "es",
        &[
            "pre", "cio", "en", "ví", "o", "fac", "tu", "ra", "de", "vo", "lu", "ción", "ta",
            "lla", "ñu",
        ],
    ),
    (
        "pt",
        &[
            "fre", "te", "pe", "di", "do", "tro", "ca", "ção", "en", "tre", "ga", "pra", "zo",
            "sã", "lo",
        ],
    ),
    (
        "en",
        &[
            "ship", "ping", "re", "fund", "or", "der", "track", "ing", "size", "col", "our",
            "stock", "pay", "ment",
        ],
    ),
    (
        "ru",
        &[
            "це", "на", "до", "став", "ка", "воз", "врат", "за", "каз", "оп", "ла", "та", "раз",
            "мер",
        ],
    ),
    (
        "el",
        &[
            "τι", "μή", "α", "πο", "στο", "λή", "πλη", "ρω", "μή", "πα", "ραγ", "γε", "λί", "α",
        ],
    ),
    (
        "ja",
        &[
            "配", "送", "返", "品", "注", "文", "サ", "イ", "ズ", "在", "庫", "支", "払", "い",
            "ポ", "イ", "ン", "ト",
        ],
    ),
    (
        "zh",
        &[
            "价", "格", "退", "款", "发", "货", "物", "流", "订", "单", "尺", "码", "优", "惠",
            "门", "店",
        ],
    ),
    (
        "th",
        &[
            "ราคา",
            "ส่ง",
            "ของ",
            "คืน",
            "เงิน",
            "สั่ง",
            "ซื้อ",
            "ขนาด",
            "สี",
            "ร้าน",
        ],
    ),
    (
        "ar",
        &["سع", "ر", "شح", "ن", "إر", "جاع", "طل", "ب", "مقا", "س"],
    ),
];

/// Filler words per script for the rest of each message.
const FILLER: &[(&str, &[&str])] = &[
    (
        "es",
        &[
            "hola", "buenas", "quisiera", "saber", "el", "la", "por", "favor", "gracias", "mañana",
        ],
    ),
    (
        "pt",
        &[
            "olá", "bom", "dia", "queria", "saber", "o", "a", "obrigado", "amanhã", "você",
        ],
    ),
    (
        "en",
        &[
            "hi", "hello", "please", "when", "will", "my", "the", "thanks", "can", "you",
        ],
    ),
    (
        "ru",
        &[
            "привет",
            "когда",
            "будет",
            "мой",
            "пожалуйста",
            "спасибо",
            "можно",
            "завтра",
        ],
    ),
    (
        "el",
        &[
            "γεια",
            "σας",
            "πότε",
            "θα",
            "έρθει",
            "ευχαριστώ",
            "παρακαλώ",
        ],
    ),
    (
        "ja",
        &[
            "こんにちは",
            "いつ",
            "届き",
            "ます",
            "か",
            "よろしく",
            "お願い",
            "します",
            "の",
        ],
    ),
    (
        "zh",
        &["你好", "请问", "什么", "时候", "可以", "谢谢", "我的", "吗"],
    ),
    ("th", &["สวัสดี", "ครับ", "ค่ะ", "เมื่อไหร่", "ขอบคุณ", "ได้", "ไหม"]),
    ("ar", &["مرحبا", "متى", "شكرا", "من", "فضلك", "هل", "يمكن"]),
];

fn spaced(lang: &str) -> bool {
    !matches!(lang, "ja" | "zh" | "th")
}

struct Keyword {
    text: String,
    lang: &'static str,
    target: u32,
    mode: MatchMode,
}

fn keywords(rng: &mut Rng) -> Vec<Keyword> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(KEYWORDS);
    while out.len() < KEYWORDS {
        let (lang, syl) = SCRIPTS[rng.below(SCRIPTS.len())];
        let parts = 2 + rng.below(3);
        let mut w: String = (0..parts).map(|_| rng.pick(syl)).collect();
        // Some keywords are written in capitals or full-width by the rule author.
        if rng.below(10) == 0 {
            w = w.to_uppercase();
        }
        if !seen.insert(fold(&w, false)) {
            continue;
        }
        let target = (out.len() % RULES) as u32;
        let mode = if spaced(lang) {
            MatchMode::Word
        } else {
            MatchMode::Contains
        };
        out.push(Keyword {
            text: w,
            lang,
            target,
            mode,
        });
    }
    out
}

fn messages(rng: &mut Rng, kws: &[Keyword]) -> Vec<String> {
    (0..MESSAGES)
        .map(|_| {
            let (lang, words) = FILLER[rng.below(FILLER.len())];
            let sep = if spaced(lang) { " " } else { "" };
            let len = 4 + rng.below(20);
            let mut parts: Vec<String> = (0..len).map(|_| rng.pick(words).to_string()).collect();
            if rng.below(3) == 0 {
                let same: Vec<&Keyword> = kws.iter().filter(|k| k.lang == lang).collect();
                if let Some(k) = same.get(rng.below(same.len().max(1))) {
                    let at = rng.below(parts.len());
                    parts.insert(at, k.text.to_lowercase());
                }
            }
            let mut m = parts.join(sep);
            if rng.below(4) == 0 {
                m.push('?');
            }
            if rng.below(8) == 0 {
                // Typed in capitals or with full-width Latin, as customers do.
                m = m.to_uppercase();
            }
            m
        })
        .collect()
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The naive matcher: fold the message once, then look for every keyword in
/// turn with `str::match_indices`, checking word boundaries where asked.
fn naive(folded_kws: &[(String, u32, MatchMode)], text: &str) -> BTreeSet<u32> {
    let t = fold(text, false);
    let mut hits = BTreeSet::new();
    for (k, target, mode) in folded_kws {
        let found = t.match_indices(k.as_str()).any(|(s, m)| {
            if *mode == MatchMode::Contains {
                return true;
            }
            let e = s + m.len();
            let left = m.chars().next().is_some_and(is_spaceless)
                || t[..s].chars().next_back().is_none_or(|c| !word_char(c));
            let right = m.chars().next_back().is_some_and(is_spaceless)
                || t[e..].chars().next().is_none_or(|c| !word_char(c));
            left && right
        });
        if found {
            hits.insert(*target);
        }
    }
    hits
}

/// Messages per CPU-second of the timing thread (`NaN` when unknown).
fn per_cpu(n: u64, cpu: Option<Duration>) -> f64 {
    cpu.map_or(f64::NAN, |c| n as f64 / c.as_secs_f64())
}

fn main() {
    let mut rng = Rng(0x5eed_a17e_c0de_0001);
    let kws = keywords(&mut rng);
    let msgs = messages(&mut rng, &kws);
    let set = KeywordSet::build(kws.iter().map(|k| Entry {
        keyword: k.text.clone(),
        target: k.target,
        mode: k.mode,
        fold_accents: false,
    }))
    .expect("keywords compile");
    let folded: Vec<(String, u32, MatchMode)> = kws
        .iter()
        .map(|k| (fold(&k.text, false), k.target, k.mode))
        .collect();

    // Both matchers must agree before their speeds mean anything.
    let mut with_hits = 0usize;
    let mut disagree = 0usize;
    for m in &msgs {
        let ours: BTreeSet<u32> = set.find(m).into_iter().map(|h| h.target).collect();
        let mut targets = Vec::new();
        set.find_targets(m, &mut targets);
        assert!(targets.iter().copied().eq(ours.iter().copied()));
        if !ours.is_empty() {
            with_hits += 1;
        }
        if ours != naive(&folded, m) {
            disagree += 1;
        }
    }
    println!(
        "{RULES} rules, {KEYWORDS} keywords, {MESSAGES} messages ({with_hits} with a hit); \
         wacrm and the naive scan disagree on {disagree}"
    );

    let budget = Duration::from_secs(3);
    let mut i = 0usize;
    let (n, el, cpu) = time_for_cpu(budget, || {
        std::hint::black_box(set.find(&msgs[i % MESSAGES]));
        i += 1;
    });
    let ours = n as f64 / el.as_secs_f64();
    let ours_cpu = per_cpu(n, cpu);
    // The same matching into a reused buffer of rule indices (what the
    // engine needs), without building a `Hit` with its keyword per rule.
    let mut targets = Vec::new();
    let mut i = 0usize;
    let (n, el, cpu) = time_for_cpu(budget, || {
        set.find_targets(&msgs[i % MESSAGES], &mut targets);
        std::hint::black_box(&targets);
        i += 1;
    });
    let ours_targets = n as f64 / el.as_secs_f64();
    let ours_targets_cpu = per_cpu(n, cpu);
    // The same rules with `fold_accents`: the other folding (accents removed).
    let accents = KeywordSet::build(kws.iter().map(|k| Entry {
        keyword: k.text.clone(),
        target: k.target,
        mode: k.mode,
        fold_accents: true,
    }))
    .expect("keywords compile");
    let mut i = 0usize;
    let (n, el, cpu) = time_for_cpu(budget, || {
        accents.find_targets(&msgs[i % MESSAGES], &mut targets);
        std::hint::black_box(&targets);
        i += 1;
    });
    let ours_accents = n as f64 / el.as_secs_f64();
    let ours_accents_cpu = per_cpu(n, cpu);
    let mut j = 0usize;
    let (n, el, cpu) = time_for_cpu(budget, || {
        std::hint::black_box(naive(&folded, &msgs[j % MESSAGES]));
        j += 1;
    });
    let scan = n as f64 / el.as_secs_f64();
    let scan_cpu = per_cpu(n, cpu);
    let mut k = 0usize;
    let mut buf = String::new();
    let (n, el, cpu) = time_for_cpu(budget, || {
        fold_into(&msgs[k % MESSAGES], false, &mut buf);
        std::hint::black_box(&buf);
        k += 1;
    });
    let fold_only = n as f64 / el.as_secs_f64();
    let fold_only_cpu = per_cpu(n, cpu);
    println!("messages/s: wall clock | per CPU-second of the thread (one thread)");
    println!("wacrm KeywordSet::find (fold + one pass):   {ours:>10.0} | {ours_cpu:>10.0}");
    println!(
        "wacrm KeywordSet::find_targets (rule indices into a reused buffer): {ours_targets:>10.0} | {ours_targets_cpu:>10.0}"
    );
    println!(
        "wacrm find_targets, the same rules with fold_accents: {ours_accents:>10.0} | {ours_accents_cpu:>10.0}"
    );
    println!(
        "  folding alone (into a reused buffer):     {fold_only:>10.0} | {fold_only_cpu:>10.0}"
    );
    println!("naive per-keyword scan (anchor):            {scan:>10.0} | {scan_cpu:>10.0}");
    println!(
        "ratio find vs naive scan: {:.1}x wall, {:.1}x CPU",
        ours / scan,
        ours_cpu / scan_cpu
    );

    // Python's pyahocorasick over the same folded keywords and pre-folded messages.
    let dir = std::env::temp_dir().join(format!("wacrm-automation-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("data.json");
    let data = serde_json::json!({
        "keywords": folded.iter().map(|(k, t, _)| serde_json::json!([k, t])).collect::<Vec<_>>(),
        "messages": msgs.iter().map(|m| fold(m, false)).collect::<Vec<_>>(),
    });
    std::fs::write(&file, data.to_string()).expect("write anchor data");
    let script = workspace_path("benches/anchors/automation_pyahocorasick.py");
    match run_anchor(&script, &[file.to_str().expect("utf-8 path")]) {
        Ok(out) => {
            let mut it = out.split_whitespace();
            let py: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let py_hits = it.next().unwrap_or("?");
            println!(
                "pyahocorasick (anchor, pre-folded text, contains semantics; {py_hits} with a hit): \
                 {py:>10.0} messages/s"
            );
            println!(
                "ratio vs pyahocorasick:                    {:>11.1}x",
                ours / py
            );
        }
        Err(e) => println!("pyahocorasick anchor skipped: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
