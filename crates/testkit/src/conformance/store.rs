//! The Store conformance suite.

use std::future::Future;
use std::sync::Arc;

use natter_domain::entities::{CodeCheck, JobKind, Mail, NewLoginCode, Session};
use natter_domain::ids::{SessionId, UserId};
use natter_domain::ports::Store;
use natter_domain::{DisplayName, Email, StoreError, Timestamp};

const T0: i64 = 1_800_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).unwrap()
}

fn mail(to: &str) -> JobKind {
    JobKind::SendMail(Mail { to: to.into(), subject: "s".into(), body: "b".into() })
}

fn code(addr: &str, hash: &[u8], created: i64) -> NewLoginCode {
    NewLoginCode {
        email: email(addr),
        code_hash: hash.to_vec(),
        created_at: at(created),
        expires_at: at(created + 300_000),
    }
}

/// Run every check, each on a fresh store from `make`.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    login_code_is_accepted_once(make().await).await;
    wrong_codes_count_and_the_last_try_exhausts(make().await).await;
    expired_codes_are_missing(make().await).await;
    a_new_code_replaces_the_old_and_resets_tries(make().await).await;
    parallel_checks_of_the_right_code_accept_exactly_once(make().await).await;
    users_are_created_once_per_address(make().await).await;
    user_search_matches_name_or_email_literally(make().await).await;
    sessions_live_until_revoked_or_expired(make().await).await;
    a_code_enqueues_a_mail_job_that_is_leased_once(make().await).await;
    failed_jobs_retry_later_or_die(make().await).await;
}

async fn login_code_is_accepted_once(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h1", 0), mail("a@x.io")).await.unwrap();
    let e = email("a@x.io");
    assert_eq!(s.check_login_code(&e, b"h1", at(1), 5).await.unwrap(), CodeCheck::Accepted);
    assert_eq!(s.check_login_code(&e, b"h1", at(2), 5).await.unwrap(), CodeCheck::Missing);
    assert_eq!(s.check_login_code(&email("b@x.io"), b"h1", at(2), 5).await.unwrap(), CodeCheck::Missing);
}

async fn wrong_codes_count_and_the_last_try_exhausts(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"right", 0), mail("a@x.io")).await.unwrap();
    let e = email("a@x.io");
    for _ in 0..4 {
        assert_eq!(s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap(), CodeCheck::Wrong);
    }
    assert_eq!(s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap(), CodeCheck::Exhausted);
    assert_eq!(s.check_login_code(&e, b"right", at(1), 5).await.unwrap(), CodeCheck::Exhausted);
}

async fn expired_codes_are_missing(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h", 0), mail("a@x.io")).await.unwrap();
    let e = email("a@x.io");
    assert_eq!(s.check_login_code(&e, b"h", at(300_000), 5).await.unwrap(), CodeCheck::Missing);
}

async fn a_new_code_replaces_the_old_and_resets_tries(s: Arc<dyn Store>) {
    let e = email("a@x.io");
    s.put_login_code(code("a@x.io", b"old", 0), mail("a@x.io")).await.unwrap();
    for _ in 0..5 {
        s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap();
    }
    s.put_login_code(code("a@x.io", b"new", 10), mail("a@x.io")).await.unwrap();
    assert_eq!(s.check_login_code(&e, b"old", at(11), 5).await.unwrap(), CodeCheck::Wrong);
    assert_eq!(s.check_login_code(&e, b"new", at(12), 5).await.unwrap(), CodeCheck::Accepted);
}

async fn parallel_checks_of_the_right_code_accept_exactly_once(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h", 0), mail("a@x.io")).await.unwrap();
    let checks = (0..50).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.check_login_code(&email("a@x.io"), b"h", at(1), 5).await.unwrap() })
    });
    let results = futures::future::join_all(checks).await;
    let accepted = results.iter().filter(|r| matches!(r, Ok(CodeCheck::Accepted))).count();
    assert_eq!(accepted, 1);
}

async fn users_are_created_once_per_address(s: Arc<dyn Store>) {
    let a = s.get_or_create_user(&email("a@x.io"), &name("Ada"), at(0)).await.unwrap();
    let again = s.get_or_create_user(&email("a@x.io"), &name("Other"), at(5)).await.unwrap();
    assert_eq!(a, again);
    assert_eq!(s.get_user(a.id).await.unwrap(), a);
    assert!(matches!(s.get_user(UserId::new()).await, Err(StoreError::NotFound)));
    let renamed = s.update_user_name(a.id, &name("Ada L."), at(9)).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.updated_at, renamed.created_at), ("Ada L.", at(9), at(0)));
    assert!(matches!(s.update_user_name(UserId::new(), &name("x"), at(9)).await, Err(StoreError::NotFound)));
}

async fn user_search_matches_name_or_email_literally(s: Arc<dyn Store>) {
    s.get_or_create_user(&email("ada@x.io"), &name("Ada Lovelace"), at(0)).await.unwrap();
    s.get_or_create_user(&email("bob@y.io"), &name("Bob 100%"), at(0)).await.unwrap();
    s.get_or_create_user(&email("carol@x.io"), &name("Carol"), at(0)).await.unwrap();
    let names = |v: Vec<natter_domain::entities::User>| {
        v.into_iter().map(|u| u.name.into_string()).collect::<Vec<_>>()
    };
    assert_eq!(names(s.search_users("LOVE", 10).await.unwrap()), ["Ada Lovelace"]);
    assert_eq!(names(s.search_users("x.io", 10).await.unwrap()), ["Ada Lovelace", "Carol"]);
    assert_eq!(names(s.search_users("%", 10).await.unwrap()), ["Bob 100%"]);
    assert_eq!(names(s.search_users("_", 10).await.unwrap()), Vec::<String>::new());
    assert_eq!(s.search_users("", 2).await.unwrap().len(), 2);
}

async fn sessions_live_until_revoked_or_expired(s: Arc<dyn Store>) {
    let u = s.get_or_create_user(&email("a@x.io"), &name("Ada"), at(0)).await.unwrap();
    let session = Session { id: SessionId::new(), user_id: u.id, created_at: at(0), expires_at: at(1000) };
    s.insert_session(&session).await.unwrap();
    assert_eq!(s.get_live_session(session.id, at(999)).await.unwrap(), session);
    assert!(matches!(s.get_live_session(session.id, at(1000)).await, Err(StoreError::NotFound)));
    s.revoke_session(session.id, at(5)).await.unwrap();
    assert!(matches!(s.get_live_session(session.id, at(6)).await, Err(StoreError::NotFound)));
    assert!(matches!(s.get_live_session(SessionId::new(), at(6)).await, Err(StoreError::NotFound)));
}

async fn a_code_enqueues_a_mail_job_that_is_leased_once(s: Arc<dyn Store>) {
    let id = s.put_login_code(code("a@x.io", b"h", 0), mail("a@x.io")).await.unwrap();
    let job = s.claim_job(at(0), at(60_000)).await.unwrap().expect("the job is due");
    assert_eq!((job.id, job.attempts, job.kind), (id, 0, mail("a@x.io")));
    assert_eq!(s.claim_job(at(1), at(60_001)).await.unwrap(), None, "leased jobs are not handed out twice");
    // The worker died: once the lease runs out the job is due again.
    let again = s.claim_job(at(60_000), at(120_000)).await.unwrap().expect("lease expired");
    assert_eq!(again.id, id);
    s.complete_job(id, at(60_001)).await.unwrap();
    assert_eq!(s.claim_job(at(200_000), at(260_000)).await.unwrap(), None);
}

async fn failed_jobs_retry_later_or_die(s: Arc<dyn Store>) {
    let id = s.put_login_code(code("a@x.io", b"h", 0), mail("a@x.io")).await.unwrap();
    s.claim_job(at(0), at(60_000)).await.unwrap().expect("due");
    s.fail_job(id, "smtp down", Some(at(5_000)), at(1)).await.unwrap();
    assert_eq!(s.claim_job(at(4_999), at(9_999)).await.unwrap(), None, "not before retry_at");
    let job = s.claim_job(at(5_000), at(65_000)).await.unwrap().expect("due again");
    assert_eq!(job.attempts, 1);
    s.fail_job(id, "smtp down", None, at(5_001)).await.unwrap();
    assert_eq!(s.claim_job(at(10_000_000), at(10_060_000)).await.unwrap(), None, "dead jobs stay dead");
}
