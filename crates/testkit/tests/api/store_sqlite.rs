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

/// A fresh SQLite store in a directory of its own (kept as long as the store is used).
async fn fresh_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/natter.db", dir.path().display());
    let store = Arc::new(SqliteStore::open(&url).await.unwrap()) as Arc<dyn Store>;
    (dir, store)
}

/// One test per check of a conformance module, each on a fresh store, so one failing
/// check does not hide the others.
macro_rules! each_check {
    ($suite:ident: $($check:ident),* $(,)?) => {
        mod $suite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let (_dir, store) = super::fresh_store().await;
                    natter_testkit::conformance::$suite::$check(store).await;
                }
            )*
        }
    };
}

each_check!(invites:
    a_closed_rule_refuses_a_stranger_and_writes_nothing,
    an_open_rule_admits_anyone_and_existing_accounts_pass_any_rule,
    an_allowed_domain_is_admitted,
    the_first_account_of_an_empty_store_is_the_admin,
    racing_first_accounts_make_exactly_one_admin,
    racing_open_first_accounts_make_exactly_one_admin,
    an_invitation_admits_its_address_once_and_is_used_up,
    invitations_are_one_per_address_whoever_invites,
    invitations_are_listed_newest_first_per_inviter,
    the_name_search_matches_an_address_only_whole,
);

each_check!(codes:
    a_new_code_keeps_the_ones_already_mailed,
    only_the_newest_codes_stay_open,
    each_code_expires_on_its_own,
    a_wrong_guess_costs_a_try_of_every_open_code,
    parallel_checks_of_one_of_several_codes_accept_it_once,
);
