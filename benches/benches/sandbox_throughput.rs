//! Accepted messages/s on loopback for 1 and 10 numbers (limits raised): the
//! sandbox must not be the bottleneck below 1,000 mps per number.
//! cargo bench -p wacrm-benches --bench sandbox_throughput

use std::time::{Duration, Instant};

use serde_json::json;
use wacrm_sandbox::{Sandbox, SandboxConfig, Tier};

#[tokio::main]
async fn main() {
    for numbers in [1usize, 10] {
        let mut cfg = SandboxConfig::default()
            .tier(Tier::Unlimited)
            .mps(100_000.0);
        for n in 0..numbers {
            cfg = cfg.phone_number(format!("90000{n}"));
        }
        let h = Sandbox::start(cfg).await.expect("sandbox");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        let token = h.access_token();
        let base = h.base_url();
        let total = 20_000usize;
        let start = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..32 {
            let (c, token, base) = (client.clone(), token.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0;
                for i in (w..total).step_by(32) {
                    let body = json!({"messaging_product": "whatsapp", "to": format!("1555{i:07}"), "type": "template",
                        "template": {"name": "hello_world", "language": {"code": "en_US"}}});
                    let url = format!("{base}/v26.0/90000{}/messages", i % numbers);
                    let r = c.post(url).bearer_auth(&token).json(&body).send().await.expect("send");
                    if r.status().is_success() {
                        ok += 1;
                    }
                }
                ok
            }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += t.await.expect("task");
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "sandbox accepted {ok}/{total} on {numbers} number(s): {:.0} messages/s ({:.0} per number)",
            ok as f64 / secs,
            ok as f64 / secs / numbers as f64
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        h.shutdown().await;
    }
}
