//! The login rules, one test per rule.

use std::sync::Arc;
use std::time::Duration;

use natter_app::auth::AuthPolicy;
use natter_domain::ports::Rate;
use natter_testkit::db::Backend;
use natter_testkit::{TestOptions, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn verify(app: &natter_testkit::TestApp, email: &str, otp: &str) -> (StatusCode, Value) {
    let res = app.post_json("/verify", json!({ "email": email, "otp": otp })).await;
    (res.status(), res.json().await.unwrap())
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn the_right_code_logs_in_and_the_first_verify_creates_the_user() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let (status, body) = verify(&app, "ada@example.com", &code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["name"], "ada");
    assert!(body["token"].as_str().is_some_and(|t| t.len() > 20));
    let me = app.get_authed("/me", body["token"].as_str().unwrap()).await;
    assert_eq!(me.json::<Value>().await.unwrap()["_id"], body["user"]["_id"]);
}

#[tokio::test]
async fn a_code_is_stored_only_as_a_keyed_hash() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let hashes: Vec<(Vec<u8>,)> = app.db_rows("select code_hash from login_codes").await;
    let [(hash,)] = hashes.as_slice() else { panic!("one code is stored, not {}", hashes.len()) };
    assert_eq!(hash.len(), 32);
    assert!(!hash.windows(6).any(|w| w == code.as_bytes()));
    // Not a plain hash either: without the server's key the digits cannot be tried offline.
    let columns = match app.data_dir.backend() {
        Backend::Sqlite => "select name from pragma_table_info('login_codes')",
        Backend::Postgres => {
            "select column_name::text from information_schema.columns where table_name = 'login_codes'"
        }
    };
    let all: Vec<(String,)> = app.db_rows(columns).await;
    assert!(all.iter().any(|(c,)| c == "code_hash"), "{all:?}");
    assert!(!all.iter().any(|(c,)| c == "code" || c == "otp"));
}

#[tokio::test]
async fn a_code_expires_after_five_minutes() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    app.clock.advance(Duration::from_secs(5 * 60));
    let (status, body) = verify(&app, "ada@example.com", &code).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_otp")));
}

#[tokio::test]
async fn a_code_works_only_once() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    assert_eq!(verify(&app, "ada@example.com", &code).await.0, StatusCode::OK);
    let (status, body) = verify(&app, "ada@example.com", &code).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_otp")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_100_parallel_verifies_of_the_right_code_exactly_one_succeeds() {
    let policy =
        AuthPolicy { verify_per_ip: Rate::per(1000, Duration::from_secs(60)), ..AuthPolicy::default() };
    let app = Arc::new(spawn_app_with(TestOptions { auth_policy: Some(policy), ..Default::default() }).await);
    let code = app.request_code("ada@example.com").await;
    let tries = (0..100).map(|_| {
        let (app, code) = (app.clone(), code.clone());
        tokio::spawn(async move { verify(&app, "ada@example.com", &code).await.0 })
    });
    let statuses: Vec<StatusCode> =
        futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.is_success() || s.is_client_error()));
}

#[tokio::test]
async fn the_fifth_wrong_try_kills_the_code() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    for _ in 0..4 {
        assert_eq!(verify(&app, "ada@example.com", &wrong(&code)).await.0, StatusCode::BAD_REQUEST);
    }
    let (status, body) = verify(&app, "ada@example.com", &wrong(&code)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
    // Even the right code is refused now; only a new code helps.
    assert_eq!(verify(&app, "ada@example.com", &code).await.0, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(Duration::from_secs(61));
    let fresh = app.request_code("ada@example.com").await;
    assert_eq!(verify(&app, "ada@example.com", &fresh).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_new_code_leaves_the_one_already_mailed_working() {
    let app = spawn_app().await;
    let old = app.request_code("ada@example.com").await;
    app.clock.advance(Duration::from_secs(61));
    let new = app.request_code("ada@example.com").await;
    // Whoever asked for the new code, the one its owner may be typing still works.
    assert_eq!(verify(&app, "ada@example.com", &old).await.0, StatusCode::OK);
    assert_eq!(verify(&app, "ada@example.com", &new).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_second_request_within_60_seconds_answers_alike_and_mails_nothing() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let first = app.post_json("/login", json!({ "email": "bob@example.com" })).await.text().await.unwrap();
    app.clock.advance(Duration::from_secs(59));
    let res = app.post_json("/login", json!({ "email": "ada@example.com" })).await;
    assert_eq!(res.status(), StatusCode::OK, "a spent mail budget is never a 429");
    assert_eq!(res.text().await.unwrap(), first, "the same answer as a request that mailed");
    settle_mail(&app).await;
    assert_eq!(app.mails_to("ada@example.com").await, 1);
    app.clock.advance(Duration::from_secs(1));
    app.request_code("ada@example.com").await;
    // The first code was not replaced by either request.
    assert_eq!(verify(&app, "ada@example.com", &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn at_most_5_code_mails_an_hour_per_address_from_one_network() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.request_code("ada@example.com").await;
        app.clock.advance(Duration::from_secs(61));
    }
    let res = app.post_json("/login", json!({ "email": "ada@example.com" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    settle_mail(&app).await;
    assert_eq!(app.mails_to("ada@example.com").await, 5);
    // Another address is not affected, nor the same address asked for from elsewhere.
    app.request_code("bob@example.com").await;
    let elsewhere = app.http_from("127.0.7.1");
    let res =
        elsewhere.post(app.api("/login")).json(&json!({ "email": "ada@example.com" })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.code_for("ada@example.com", 6).await;
    app.clock.advance(Duration::from_secs(3600));
    app.request_code("ada@example.com").await;
    assert_eq!(app.mails_to("ada@example.com").await, 7);
}

/// Wait until every mail queued so far was delivered (or given up on), so a test can
/// count what was *not* sent.
pub async fn settle_mail(app: &natter_testkit::TestApp) {
    natter_testkit::eventually(Duration::from_secs(10), "the mail queue to drain", || async {
        let open: Vec<(i64,)> =
            app.db_rows("select count(*) from jobs where done_at is null and dead_at is null").await;
        (open == [(0,)]).then_some(())
    })
    .await;
}

#[tokio::test]
async fn login_and_verify_are_limited_per_ip() {
    let policy = AuthPolicy {
        login_per_ip: Rate::per(3, Duration::from_secs(60)),
        verify_per_ip: Rate::per(2, Duration::from_secs(60)),
        ..AuthPolicy::default()
    };
    let app = spawn_app_with(TestOptions { auth_policy: Some(policy), ..Default::default() }).await;
    for i in 0..3 {
        app.request_code(&format!("u{i}@example.com")).await;
    }
    let res = app.post_json("/login", json!({ "email": "u9@example.com" })).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    for _ in 0..2 {
        assert_eq!(verify(&app, "u0@example.com", "000000").await.0, StatusCode::BAD_REQUEST);
    }
    assert_eq!(verify(&app, "u0@example.com", "000000").await.0, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(Duration::from_secs(60));
    assert_eq!(app.post_json("/login", json!({ "email": "u9@example.com" })).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn login_answers_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    app.login("known@example.com").await;
    app.clock.advance(Duration::from_secs(61));
    let known = app.post_json("/login", json!({ "email": "known@example.com" })).await;
    let unknown = app.post_json("/login", json!({ "email": "unknown@example.com" })).await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
}

#[tokio::test]
async fn addresses_are_trimmed_and_lower_cased_into_one_account() {
    let app = spawn_app().await;
    let a = app.login("  Foo@X.com ").await;
    assert_eq!(a.user["email"], "foo@x.com");
    app.clock.advance(Duration::from_secs(61));
    let b = app.login("foo@x.com").await;
    assert_eq!(a.user_id, b.user_id);
}

#[tokio::test(flavor = "current_thread")]
async fn codes_are_never_logged() {
    // On a current-thread runtime the server runs on this thread, so a thread-local
    // subscriber sees everything it logs.
    let buf = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = {
        let buf = buf.clone();
        move || SharedWriter(buf.clone())
    };
    let subscriber = tracing_subscriber::fmt()
        .without_time()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(writer)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let (status, _) = verify(&app, "ada@example.com", &wrong(&code)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(verify(&app, "ada@example.com", &code).await.0, StatusCode::OK);
    let logs = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("logged in"), "the capture works: {logs}");
    assert!(!contains_word(&logs, &code), "a code appeared in the logs");
    assert!(!contains_word(&logs, &wrong(&code)), "a submitted code appeared in the logs");
}

/// `needle` standing alone, not inside a longer run of letters and digits (a request
/// id may contain any six digits by chance).
fn contains_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        let after = hay[i + needle.len()..].chars().next().is_some_and(char::is_alphanumeric);
        !before && !after
    })
}

struct SharedWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
