//! The Store conformance suite on SQLite, and what only SQLite has. Skipped on the
//! PostgreSQL run of the API suite (`NATTER_TEST_DATABASE=postgres`): these checks ran
//! in the SQLite run already, and nothing in them is about PostgreSQL.

use std::sync::Arc;

use natter_domain::ports::Store;
use natter_store_sqlite::SqliteStore;
use natter_testkit::db::skip_on_postgres;

#[tokio::test]
async fn sqlite_store_runs_in_wal_mode_with_foreign_keys() {
    if skip_on_postgres("sqlite_store_runs_in_wal_mode_with_foreign_keys") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let _store = SqliteStore::open(&url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let (mode,): (String,) = sqlx::query_as("pragma journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode, "wal");
    // Reopening applies no migration twice.
    drop(SqliteStore::open(&url).await.unwrap());
}

/// A fresh SQLite store in a directory of its own (kept as long as the store is used).
async fn fresh_store() -> Option<(tempfile::TempDir, Arc<dyn Store>)> {
    if skip_on_postgres("the SQLite conformance suite") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let store = Arc::new(SqliteStore::open(&url).await.unwrap()) as Arc<dyn Store>;
    Some((dir, store))
}

/// Two stores on one fresh SQLite file, as two processes would open it.
async fn fresh_nodes() -> Option<(tempfile::TempDir, Arc<dyn Store>, Arc<dyn Store>)> {
    let (dir, one) = fresh_store().await?;
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let two = Arc::new(SqliteStore::open(&url).await.unwrap()) as Arc<dyn Store>;
    Some((dir, one, two))
}

natter_testkit::store_conformance!();

#[tokio::test]
async fn a_settled_job_keeps_no_payload() {
    if skip_on_postgres("a_settled_job_keeps_no_payload (SQLite)") {
        return;
    }
    use natter_domain::entities::{LeaseId, NewJob, NewLoginCode};
    use natter_domain::ids::JobId;
    use natter_domain::{Email, Timestamp};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let store = SqliteStore::open(&url).await.unwrap();
    let now = Timestamp::from_millis(1_800_000_000_000);
    let code = |addr: &str| NewLoginCode {
        email: Email::parse(addr).unwrap(),
        code_hash: addr.as_bytes().to_vec(),
        created_at: now,
        expires_at: now.plus(std::time::Duration::from_secs(600)),
    };
    let job = || NewJob { id: JobId::new(), kind: "send_mail", sealed: b"sealed payload".to_vec() };
    let (done, dead, pending) = (job(), job(), job());
    for (addr, j) in [("a@x.io", &done), ("b@x.io", &dead), ("c@x.io", &pending)] {
        store.put_login_code(code(addr), j.clone()).await.unwrap();
    }
    let later = now.plus(std::time::Duration::from_secs(60));
    let mut leases = std::collections::HashMap::new();
    while let Some(j) = store.claim_job(now, later).await.unwrap() {
        leases.insert(j.id, j.lease);
    }
    assert!(store.complete_job(done.id, leases[&done.id], now).await.unwrap());
    assert!(store.fail_job(dead.id, leases[&dead.id], "refused", None, now).await.unwrap());
    assert!(!store.complete_job(pending.id, LeaseId::new(), now).await.unwrap(), "a stranger's lease");
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let sizes: Vec<(String, i64)> =
        sqlx::query_as("select id, length(payload) from jobs").fetch_all(&pool).await.unwrap();
    let size = |id: JobId| sizes.iter().find(|(i, _)| *i == id.to_string()).unwrap().1;
    assert_eq!((size(done.id), size(dead.id)), (0, 0), "done and dead jobs are erased");
    assert_eq!(size(pending.id), 14, "a pending job keeps its sealed payload");
}
