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
    app.db_rows("select attempts, done_at is not null from jobs").await
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

/// What the database holds of login mails, whichever backend: sent mails leave no
/// payload and no code; a mail still queued is sealed (neither its address nor its
/// text can be read).
#[tokio::test]
async fn stored_mail_jobs_hold_no_readable_code_or_address() {
    let sink = SmtpSink::start(free_port()).await;
    let app = spawn_app_with(TestOptions { smtp_url: smtp_url(sink.port), ..Default::default() }).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let to = format!("user{i}@example.com");
        assert_eq!(app.post_json("/login", json!({ "email": to })).await.status(), StatusCode::OK);
        let raw = wait_for_mail(&sink, &to).await;
        let code = natter_testkit::spawn::extract_code(raw.split("\n\n").nth(1).unwrap_or(&raw));
        codes.push(code.expect("a code"));
    }
    let done =
        |rows: &[(Vec<u8>, bool)]| rows.len() == 4 && rows.iter().all(|(p, done)| *done && p.is_empty());
    eventually(Duration::from_secs(10), "every sent job erased", || async {
        let rows: Vec<(Vec<u8>, bool)> = app.db_rows("select payload, done_at is not null from jobs").await;
        done(&rows).then_some(())
    })
    .await;
    let hashes: Vec<(Vec<u8>,)> = app.db_rows("select code_hash from login_codes").await;
    for (hash,) in &hashes {
        assert!(codes.iter().all(|c| !natter_testkit::fixtures::contains(hash, c.as_bytes())));
    }
    // Nothing listens at this one's SMTP port: its mail stays queued.
    let queued = spawn_app_with(TestOptions { smtp_url: smtp_url(free_port()), ..Default::default() }).await;
    let res = queued.post_json("/login", json!({ "email": "late@example.com" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows: Vec<(Vec<u8>,)> = queued.db_rows("select payload from jobs").await;
    let [(payload,)] = rows.as_slice() else { panic!("one job, not {}", rows.len()) };
    assert!(payload.len() > 16, "the queued mail is kept until it is sent");
    for readable in [&b"late@example.com"[..], b"login code", b"natter"] {
        assert!(!natter_testkit::fixtures::contains(payload, readable), "the payload is sealed");
    }
}

#[tokio::test]
async fn no_mailed_code_is_at_rest_in_the_data_files() {
    // Reads the SQLite files in the data directory; PostgreSQL keeps its files on its
    // server, so on that run `no_mailed_code_is_in_the_stored_jobs_or_codes` looks at
    // the rows instead.
    if natter_testkit::db::skip_on_postgres("no_mailed_code_is_at_rest_in_the_data_files") {
        return;
    }
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
    let look = |when: &str, wal_expected: bool| {
        let files = data_files(dir.path());
        if wal_expected {
            assert!(
                files.iter().any(|(p, _)| p.ends_with("natter.db-wal")),
                "{when}: the WAL is looked at too"
            );
        }
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
    look("while running", true);
    app.stop().await;
    // The last connection to close checkpoints the WAL into the database file and
    // deletes it, so after a clean stop there may be none left to look at.
    look("after a clean stop", false);
}
