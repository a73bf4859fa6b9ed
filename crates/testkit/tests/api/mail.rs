//! Mail that is never lost: a real SMTP server (aiosmtpd), restarts, roles.

use std::time::Duration;

use natter_testkit::smtp::{SmtpSink, free_port};
use natter_testkit::{TestOptions, eventually, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

fn smtp_url(port: u16) -> Option<String> {
    Some(format!("smtp://127.0.0.1:{port}?tls=none"))
}

/// `(attempts, done)` of every job in the app's database, as a worker left them.
async fn jobs(app: &natter_testkit::TestApp) -> Vec<(i64, bool)> {
    let url = format!("sqlite://{}?mode=ro", app.db_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows =
        sqlx::query_as("select attempts, done_at is not null from jobs").fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

async fn wait_for_mail(sink: &SmtpSink, to: &str) -> String {
    eventually(Duration::from_secs(15), "a mail at the SMTP server", || async {
        sink.messages().into_iter().find(|m| m.contains(&format!("To: {to}")))
    })
    .await
}

#[tokio::test]
async fn the_smtp_mailer_delivers_the_code_to_a_real_smtp_server() {
    let sink = SmtpSink::start(free_port()).await;
    let app = spawn_app_with(TestOptions { smtp_url: smtp_url(sink.port), ..Default::default() }).await;
    let res = app.post_json("/login", json!({ "email": "ada@example.com" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let raw = wait_for_mail(&sink, "ada@example.com").await;
    assert!(raw.contains("From: natter <no-reply@localhost>"), "{raw}");
    let code = natter_testkit::spawn::extract_code(raw.split("\n\n").nth(1).unwrap_or(&raw))
        .expect("a code in the body");
    let res = app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await;
    assert_eq!(res.status(), StatusCode::OK);
    // With a real mail server there is no dev mailbox to read codes from.
    let dev = app.http.get(format!("{}/dev/mailbox.json", app.url)).send().await.unwrap();
    assert_eq!(dev.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_code_mail_that_could_not_go_out_is_delivered_after_a_restart() {
    let port = free_port();
    // Nothing listens on the port yet: every delivery fails.
    let app = spawn_app_with(TestOptions { smtp_url: smtp_url(port), ..Default::default() }).await;
    let res = app.post_json("/login", json!({ "email": "ada@example.com" })).await;
    assert_eq!(res.status(), StatusCode::OK, "the code is durably queued even though mail is down");
    eventually(Duration::from_secs(10), "a failed delivery", || async {
        jobs(&app).await.first().is_some_and(|&(attempts, done)| attempts >= 1 && !done).then_some(())
    })
    .await;
    let dir = app.data_dir.clone();
    app.stop().await;

    let sink = SmtpSink::start(port).await;
    let app =
        spawn_app_with(TestOptions { smtp_url: smtp_url(port), data_dir: Some(dir), ..Default::default() })
            .await;
    let raw = wait_for_mail(&sink, "ada@example.com").await;
    let code = natter_testkit::spawn::extract_code(raw.split("\n\n").nth(1).unwrap_or(&raw)).expect("a code");
    let res = app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sink.messages().len(), 1, "delivered once");
}

#[tokio::test]
async fn the_mail_role_delivers_what_the_api_role_queued() {
    let sink = SmtpSink::start(free_port()).await;
    let api = spawn_app_with(TestOptions {
        smtp_url: smtp_url(sink.port),
        role: Some("api".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(api.post_json("/login", json!({ "email": "ada@example.com" })).await.status(), StatusCode::OK);
    // Queued, and never tried: an api-only node runs no mail worker.
    assert_eq!(jobs(&api).await, [(0, false)]);
    assert!(sink.messages().is_empty(), "an api-only node sends no mail");
    let _mail = spawn_app_with(TestOptions {
        smtp_url: smtp_url(sink.port),
        role: Some("mail".into()),
        data_dir: Some(api.data_dir.clone()),
        ..Default::default()
    })
    .await;
    wait_for_mail(&sink, "ada@example.com").await;
    eventually(Duration::from_secs(10), "the job marked done", || async {
        (jobs(&api).await == [(0, true)]).then_some(())
    })
    .await;
    assert_eq!(sink.messages().len(), 1, "delivered once, by the mail node");
}

/// Every file of the data directory, read whole (the database, its WAL, media...).
fn data_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(data_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[tokio::test]
async fn no_mailed_code_is_at_rest_in_the_data_files() {
    let sink = SmtpSink::start(free_port()).await;
    let app = spawn_app_with(TestOptions { smtp_url: smtp_url(sink.port), ..Default::default() }).await;
    let mut codes = Vec::new();
    for i in 0..8 {
        let to = format!("user{i}@example.com");
        assert_eq!(app.post_json("/login", json!({ "email": to })).await.status(), StatusCode::OK);
        let raw = wait_for_mail(&sink, &to).await;
        let code =
            natter_testkit::spawn::extract_code(raw.split("\n\n").nth(1).unwrap_or(&raw)).expect("a code");
        // Half of them used, half left open.
        if i % 2 == 0 {
            let res = app.post_json("/verify", json!({ "email": to, "otp": code })).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        codes.push(code);
    }
    let dir = app.data_dir.clone();
    let look = |when: &str| {
        let files = data_files(dir.path());
        assert!(files.iter().any(|(p, _)| p.ends_with("natter.db-wal")), "{when}: the WAL is looked at too");
        for (path, bytes) in &files {
            assert!(
                !natter_testkit::fixtures::contains(bytes, b"login code is"),
                "{when}: a mail body is in {}",
                path.display()
            );
            for code in &codes {
                assert!(
                    !natter_testkit::fixtures::contains(bytes, code.as_bytes()),
                    "{when}: code {code} is in {}",
                    path.display()
                );
            }
        }
    };
    look("while running");
    app.stop().await;
    look("after a clean stop");
}
