//! The store conformance suite on the in-memory and SQLite adapters.
//! (PostgreSQL runs the same macro in `tests/tests/store_postgres.rs`.)

mod memory {
    wacrm::store_conformance_tests!(async { wacrm::store::Stores::memory() });
}

mod sqlite {
    async fn fresh() -> wacrm::store::Stores {
        let dir = tempfile::tempdir().unwrap().keep();
        wacrm::store::Stores::sqlite(dir.join("wacrm.db"))
            .await
            .expect("open sqlite")
    }
    wacrm::store_conformance_tests!(fresh());
}

mod sqlite_zstd {
    async fn fresh() -> wacrm::store::Stores {
        let dir = tempfile::tempdir().unwrap().keep();
        let url = format!(
            "sqlite://{}?wacrm_compress=zstd",
            dir.join("wacrm.db").display()
        );
        wacrm::store::Stores::from_url(&url)
            .await
            .expect("open sqlite with compression")
    }
    wacrm::store_conformance_tests!(fresh());
}
