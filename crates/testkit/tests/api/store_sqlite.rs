//! The Store conformance suite on SQLite, and what only SQLite has. Skipped on the
//! PostgreSQL run of the API suite (`NATTER_TEST_DATABASE=postgres`): these checks ran
//! in the SQLite run already, and nothing in them is about PostgreSQL.

use std::sync::Arc;

use natter_domain::ports::Store;
use natter_store_sqlite::SqliteStore;
use natter_testkit::db::skip_on_postgres;
use natter_testkit::{each_check, each_node_check};

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

each_check!(store:
    login_code_is_accepted_once,
    wrong_codes_count_and_the_last_try_exhausts,
    expired_codes_are_missing,
    a_new_code_replaces_the_old_and_resets_tries,
    parallel_checks_of_the_right_code_accept_exactly_once,
    users_are_created_once_per_address,
    user_search_matches_name_or_email_literally,
    sessions_live_until_revoked_or_expired,
    a_code_enqueues_a_mail_job_that_is_leased_once,
    failed_jobs_retry_later_or_die,
    a_direct_chat_is_created_once_and_shared_by_both_sides,
    messages_get_consecutive_seqs_per_chat_and_move_the_chat,
    a_repeated_client_id_returns_the_original_and_stores_nothing,
    a_client_id_reused_in_another_chat_conflicts,
    messages_to_an_unknown_chat_are_not_stored,
    concurrent_inserts_get_every_seq_exactly_once,
    concurrent_retries_of_one_message_store_it_once,
    the_feed_pages_after_and_before_a_seq_per_chat,
    unpublished_feed_rows_are_found_by_age_until_marked,
    message_pages_are_ascending_with_has_more_at_the_edges,
    read_markers_move_forward_only_and_clamp_to_last_seq,
    non_members_cannot_mark_a_chat_read,
    the_chat_list_shows_newest_activity_first_with_unseen_counts,
    co_members_are_everyone_sharing_a_chat_once,
    get_users_returns_the_known_requested_users,
    get_message_finds_stored_messages_only,
);

each_node_check!(
    two_nodes_writing_to_one_chat_get_gapless_seqs_in_commit_order,
    retries_on_two_nodes_store_a_message_once,
    a_hundred_parallel_checks_on_two_nodes_accept_the_code_once,
    workers_on_two_nodes_never_hold_the_same_job,
    racing_first_accounts_on_two_nodes_make_exactly_one_admin,
    one_address_admitted_on_two_nodes_at_once_gets_one_account,
    a_direct_chat_opened_on_two_nodes_at_once_is_created_once,
);

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
