//! The Store conformance suite on PostgreSQL, each check its own test on a database of
//! its own (on the server at `NATTER_TEST_POSTGRES_URL`, which `scripts/test` starts;
//! unset, these tests fail and say how to set it), and what only PostgreSQL has.

use std::sync::Arc;

use natter_domain::ports::Store;
use natter_store_postgres::PgStore;
use natter_testkit::db::TestDatabase;

/// A fresh, empty database and a store on it.
async fn fresh_store() -> Option<(TestDatabase, Arc<dyn Store>)> {
    let db = TestDatabase::create().await;
    let store = Arc::new(PgStore::open(db.url()).await.unwrap()) as Arc<dyn Store>;
    Some((db, store))
}

/// Two stores, each with its own pool, on one fresh database: two nodes.
async fn fresh_nodes() -> Option<(TestDatabase, Arc<dyn Store>, Arc<dyn Store>)> {
    let (db, one) = fresh_store().await?;
    let two = Arc::new(PgStore::open(db.url()).await.unwrap()) as Arc<dyn Store>;
    Some((db, one, two))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_together_on_an_empty_database_migrate_it_once() {
    let db = TestDatabase::create().await;
    let opens = (0..3).map(|_| PgStore::open(db.url()));
    for opened in futures::future::join_all(opens).await {
        opened.unwrap();
    }
    // And a restart applies nothing again.
    drop(PgStore::open(db.url()).await.unwrap());
    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("select version, success from _sqlx_migrations order by version")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(applied, [(1, true), (2, true)]);
    pool.close().await;
}

#[tokio::test]
async fn a_bad_database_url_fails_with_a_sentence_and_no_password() {
    let err = match PgStore::open("postgres://natter:hunter2@127.0.0.1:1/natter").await {
        Ok(_) => panic!("nothing listens on port 1"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.starts_with("cannot connect to PostgreSQL at 127.0.0.1:1/natter"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

natter_testkit::store_conformance!();

#[tokio::test]
async fn a_settled_job_keeps_no_payload() {
    use natter_domain::entities::{LeaseId, NewJob, NewLoginCode};
    use natter_domain::ids::JobId;
    use natter_domain::{Email, Timestamp};

    let db = TestDatabase::create().await;
    let store = PgStore::open(db.url()).await.unwrap();
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
    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    let sizes: Vec<(String, i32)> =
        sqlx::query_as("select id::text, octet_length(payload) from jobs").fetch_all(&pool).await.unwrap();
    let size = |id: JobId| sizes.iter().find(|(i, _)| *i == id.to_string()).unwrap().1;
    assert_eq!((size(done.id), size(dead.id)), (0, 0), "done and dead jobs are erased");
    assert_eq!(size(pending.id), 14, "a pending job keeps its sealed payload");
    pool.close().await;
}
