//! Contact identity through webhooks on the memory and SQLite stores (the
//! PostgreSQL run is in the workspace `tests` crate).

#[path = "common/identity_scenario.rs"]
mod scenario;

use wacrm::store::Stores;

async fn sqlite() -> (tempfile::TempDir, Stores) {
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::sqlite(dir.path().join("crm.db")).await.unwrap();
    (dir, stores)
}

macro_rules! on_every_local_store {
    ($($name:ident),*) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn memory() {
                scenario::$name(Stores::memory()).await;
            }

            #[tokio::test]
            async fn sqlite() {
                let (_dir, stores) = super::sqlite().await;
                scenario::$name(stores).await;
            }
        }
    )*};
}

on_every_local_store!(
    one_person_one_contact,
    imported_and_out_of_order,
    status_teaches_the_recipient,
    send_teaches_the_recipient
);
