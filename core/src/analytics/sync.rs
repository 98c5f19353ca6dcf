//! Sync health from C8: one row per CRM connector and mapping, read from
//! what the sync engines saved in the sync state store (their health) and
//! what they left there (parked pushes, discrepancies). Not an event-derived
//! figure: it is the state at the time of the report, whatever its range.

use serde::{Deserialize, Serialize};

use crate::crm::StoredHealth;
use crate::store::SyncStateStore;
use crate::time::Millis;

/// Rejection codes listed per row (the most frequent first).
pub const TOP_REJECTIONS: usize = 5;

/// How often the CRM refused records with one error code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionCount {
    /// The CRM's (or the mapping's) error code, e.g. `INVALID_EMAIL`.
    pub code: String,
    /// Rejections with it.
    pub count: u64,
}

/// One CRM mapping's sync health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncHealthRow {
    /// The connector's name (`hubspot`, `memory`, `sql`, ...).
    pub connector: String,
    /// The sync engine's name: its state namespace, one per mapping × CRM.
    pub mapping: String,
    /// Records pushed or pulled, over the engine's whole history.
    pub attempts: u64,
    /// Of which written.
    pub successes: u64,
    /// Successes over attempts (1 when nothing was tried).
    pub success_rate: f64,
    /// Records the CRM or the mapping refused, every code together.
    pub rejections: u64,
    /// The most frequent rejection codes (at most [`TOP_REJECTIONS`]), by
    /// count then code.
    pub top_rejections: Vec<RejectionCount>,
    /// Pushes parked for review now.
    pub parked: u64,
    /// Field conflicts recorded by pulls.
    pub discrepancies: u64,
    /// Connector call latency, milliseconds (`null`: no call measured).
    pub latency_p50_ms: Option<f64>,
    /// Connector call latency, milliseconds.
    pub latency_p99_ms: Option<f64>,
    /// Store change to CRM write, milliseconds (`null`: nothing pushed).
    pub lag_p50_ms: Option<f64>,
    /// Store change to CRM write, milliseconds.
    pub lag_p99_ms: Option<f64>,
    /// When the engine last saved its health, epoch ms.
    pub updated_at: Millis,
}

impl SyncHealthRow {
    /// The row of one saved health, with the parked and discrepancy counts
    /// of its engine.
    pub fn new(saved: &StoredHealth, parked: u64, discrepancies: u64) -> SyncHealthRow {
        let h = &saved.health;
        let mut top: Vec<RejectionCount> = h
            .rejections
            .iter()
            .map(|(code, count)| RejectionCount {
                code: code.clone(),
                count: *count,
            })
            .collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
        top.truncate(TOP_REJECTIONS);
        SyncHealthRow {
            connector: saved.connector.clone(),
            mapping: saved.mapping.clone(),
            attempts: h.attempts,
            successes: h.successes,
            success_rate: h.success_rate(),
            rejections: h.rejections.values().sum(),
            top_rejections: top,
            parked,
            discrepancies,
            latency_p50_ms: h.latency_p50_ms,
            latency_p99_ms: h.latency_p99_ms,
            lag_p50_ms: h.lag_p50_ms,
            lag_p99_ms: h.lag_p99_ms,
            updated_at: saved.updated_at,
        }
    }
}

/// Every mapping's row, by connector then mapping. Engines park pushes and
/// record discrepancies under their own name, which is the mapping's here.
pub async fn sync_health(sync: &dyn SyncStateStore) -> crate::Result<Vec<SyncHealthRow>> {
    let mut rows = Vec::new();
    for saved in StoredHealth::list(sync).await? {
        let parked = sync.list_parked(&saved.mapping).await?.len() as u64;
        let discrepancies = sync.list_discrepancies(&saved.mapping).await?.len() as u64;
        rows.push(SyncHealthRow::new(&saved, parked, discrepancies));
    }
    rows.sort_by(|a, b| (&a.connector, &a.mapping).cmp(&(&b.connector, &b.mapping)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::HealthSnapshot;
    use crate::store::{Discrepancy, ParkedPush, Stores};

    fn saved(connector: &str, mapping: &str, rejections: &[(&str, u64)]) -> StoredHealth {
        StoredHealth {
            connector: connector.into(),
            mapping: mapping.into(),
            updated_at: 1_700_000_000_000,
            health: HealthSnapshot {
                attempts: 10,
                successes: 8,
                rejections: rejections
                    .iter()
                    .map(|(c, n)| (c.to_string(), *n))
                    .collect(),
                latency_p50_ms: Some(12.4),
                ..Default::default()
            },
        }
    }

    #[test]
    fn top_rejections_by_count_then_code() {
        let codes: Vec<(String, u64)> = (0..7).map(|i| (format!("E{i}"), 1 + i % 3)).collect();
        let codes: Vec<(&str, u64)> = codes.iter().map(|(c, n)| (c.as_str(), *n)).collect();
        let row = SyncHealthRow::new(&saved("hubspot", "crm", &codes), 0, 0);
        let top: Vec<(&str, u64)> = row
            .top_rejections
            .iter()
            .map(|r| (r.code.as_str(), r.count))
            .collect();
        assert_eq!(top, [("E2", 3), ("E5", 3), ("E1", 2), ("E4", 2), ("E0", 1)]);
        assert_eq!(row.rejections, 13, "the total counts every code");
        assert!((row.success_rate - 0.8).abs() < 1e-12);
    }

    #[tokio::test]
    async fn rows_from_the_store_with_parked_and_discrepancies() {
        let stores = Stores::memory();
        assert!(sync_health(stores.sync.as_ref()).await.unwrap().is_empty());
        saved("memory", "b-side", &[])
            .save(stores.sync.as_ref())
            .await
            .unwrap();
        saved("hubspot", "a-side", &[("INVALID_EMAIL", 2)])
            .save(stores.sync.as_ref())
            .await
            .unwrap();
        for (id, connector) in [("p1", "a-side"), ("p2", "a-side"), ("p3", "other")] {
            stores
                .sync
                .park_push(&ParkedPush {
                    id: id.into(),
                    connector: connector.into(),
                    key: "c1".into(),
                    payload: serde_json::json!({}),
                    error: "INVALID_EMAIL".into(),
                    attempts: 0,
                    at: 1,
                })
                .await
                .unwrap();
        }
        stores
            .sync
            .record_discrepancy(&Discrepancy {
                id: "d1".into(),
                connector: "b-side".into(),
                key: "c1".into(),
                field: "email".into(),
                local: serde_json::json!("a@x"),
                remote: serde_json::json!("b@x"),
                resolution: "remote".into(),
                at: 1,
            })
            .await
            .unwrap();
        let rows = sync_health(stores.sync.as_ref()).await.unwrap();
        let got: Vec<(&str, &str, u64, u64, u64)> = rows
            .iter()
            .map(|r| {
                (
                    r.connector.as_str(),
                    r.mapping.as_str(),
                    r.rejections,
                    r.parked,
                    r.discrepancies,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("hubspot", "a-side", 2, 2, 0),
                ("memory", "b-side", 0, 0, 1)
            ]
        );
        assert_eq!(rows[0].latency_p50_ms, Some(12.4));
        assert_eq!(rows[0].updated_at, 1_700_000_000_000);
    }

    #[test]
    fn rendered_as_a_csv_section_and_an_html_table() {
        use crate::analytics::{Report, render_csv, render_html};
        let mut r = Report::default();
        let html = render_html(&r, "t");
        assert!(html.contains(r#"data-k="sync">No CRM sync"#), "{html}");
        assert!(render_csv(&r).ends_with("# sync\nconnector,mapping,attempts,successes,success_rate,rejections,top_rejections,parked,discrepancies,latency_p50_ms,latency_p99_ms,lag_p50_ms,lag_p99_ms,updated_at\n"));
        r.sync = vec![SyncHealthRow::new(
            &saved("hubspot", "<a&b>", &[("INVALID_EMAIL", 2), ("X", 1)]),
            4,
            1,
        )];
        let csv = render_csv(&r);
        assert!(
            csv.ends_with(
                "hubspot,<a&b>,10,8,0.8,3,INVALID_EMAIL:2 X:1,4,1,12.4,,,,1700000000000\n"
            ),
            "{csv}"
        );
        let html = render_html(&r, "t");
        for k in [
            r#"data-k="sync-attempts:&lt;a&amp;b&gt;">10<"#,
            r#"data-k="sync-success:&lt;a&amp;b&gt;">80.0%<"#,
            r#"data-k="sync-rejections:&lt;a&amp;b&gt;">3<"#,
            r#"data-k="sync-parked:&lt;a&amp;b&gt;">4<"#,
            "INVALID_EMAIL 2, X 1",
            "12 ms · –",
            "2023-11-14 22:13 UTC",
        ] {
            assert!(html.contains(k), "{k} in {html}");
        }
    }
}
