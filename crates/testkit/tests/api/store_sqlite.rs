use std::sync::Arc;

use natter_domain::ports::Store;
use natter_store_sqlite::SqliteStore;
use natter_testkit::conformance;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_passes_the_store_conformance_suite() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let n = std::sync::atomic::AtomicU32::new(0);
    conformance::store::run_all(|| {
        let url = format!(
            "sqlite://{}/t{}.db",
            dir.path().display(),
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        async move { Arc::new(SqliteStore::open(&url).await.unwrap()) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test]
async fn sqlite_store_runs_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let _store = SqliteStore::open(&url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let (mode,): (String,) = sqlx::query_as("pragma journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode, "wal");
    // Reopening applies no migration twice.
    drop(SqliteStore::open(&url).await.unwrap());
}
