//! The automation-store conformance suite on the in-memory and SQLite
//! adapters, and automation state across a restart on SQLite (PostgreSQL runs
//! the same in `tests/tests/automation_store_postgres.rs`).

use std::sync::Arc;

use wacrm::automation::{AutomationStore, MemoryAutomationStore};
use wacrm::store::{Backend, SqlStore};

mod memory {
    use super::*;
    async fn fresh() -> Arc<dyn AutomationStore> {
        Arc::new(MemoryAutomationStore::new())
    }
    wacrm::automation_store_conformance_tests!(fresh());
}

mod sqlite {
    use super::*;
    async fn fresh() -> Arc<dyn AutomationStore> {
        let dir = tempfile::tempdir().unwrap().keep();
        let url = format!("sqlite://{}", dir.join("wacrm.db").display());
        Arc::new(SqlStore::open(&url).await.expect("open sqlite"))
    }
    wacrm::automation_store_conformance_tests!(fresh());
}

#[tokio::test]
async fn engine_restart_keeps_state_in_memory_store() {
    // The same store object under a new engine: what an engine restart inside
    // one process keeps.
    let store: Arc<dyn AutomationStore> = Arc::new(MemoryAutomationStore::new());
    wacrm::automation::conformance::state_survives_restart(|| {
        let s = store.clone();
        async move { s }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timers_pauses_and_once_per_contact_survive_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("wacrm.db").display());
    wacrm::automation::conformance::state_survives_restart(|| {
        let url = url.clone();
        async move {
            let s: Arc<dyn AutomationStore> =
                Arc::new(SqlStore::open(&url).await.expect("open sqlite"));
            s
        }
    })
    .await;
    let s = SqlStore::open(&url).await.unwrap();
    let known = SqlStore::known_schema_versions(Backend::Sqlite);
    assert!(known.contains(&9), "automation state migration: {known:?}");
    assert_eq!(s.schema_versions().await.unwrap(), known);
}
