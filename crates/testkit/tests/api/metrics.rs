//! `/metrics`: Prometheus text that counts what users did, on every node, on its own
//! listener when asked.

use std::time::Duration;

use natter_testkit::{TestApp, TestOptions, TestSocket, eventually, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn scrape(app: &TestApp, base: &str) -> String {
    let res = app.http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    res.text().await.unwrap()
}

/// The value of the sample named exactly `series` (name and labels as exposed).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.split(' ').next()?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_sends_deliveries_sockets_and_mail() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let a1 = TestSocket::connect(&app, &a.token).await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    app.send_text(&a, &chat, "by rest").await;
    let ack = a1.ack("sendMessage", json!({ "chatId": chat, "text": "by socket", "clientId": "m-1" })).await;
    assert_eq!(ack["message"]["seq"], 2);
    b1.expect("newMessage").await;
    b1.expect("newMessage").await;
    // A scanner's paths are one series, not one per URL.
    for path in ["/api/v1/nope/1", "/api/v1/nope/2"] {
        app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
    }

    let text = eventually(Duration::from_secs(10), "both login mails counted", || async {
        let text = scrape(&app, &app.url).await;
        (sample(&text, r#"natter_mail_jobs_total{outcome="delivered"}"#) == Some(2.0)).then_some(text)
    })
    .await;
    let at = |series: &str| sample(&text, series).unwrap_or_else(|| panic!("no {series} in\n{text}"));
    assert_eq!(at("natter_sockets"), 2.0);
    assert_eq!(at(r#"natter_send_seconds_count{transport="rest"}"#), 1.0);
    assert_eq!(at(r#"natter_send_seconds_count{transport="socket"}"#), 1.0);
    assert_eq!(at(r#"natter_http_requests_total{method="POST",route="/api/v1/message",status="201"}"#), 1.0);
    assert_eq!(at(r#"natter_http_requests_total{method="GET",route="unmatched",status="404"}"#), 2.0);
    assert!(!text.contains("/api/v1/nope"), "raw paths never become labels");
    // Two messages, each to a's socket (its echo) and b's.
    assert_eq!(at(r#"natter_deliveries_total{event="newMessage"}"#), 4.0);
    assert!(at("natter_fanout_seconds_count") >= 2.0);
    assert_eq!(at(r#"natter_jobs{state="queued"}"#), 0.0);
    assert_eq!(at(r#"natter_jobs{state="dead"}"#), 0.0);
    assert_eq!(at("natter_store_write_queue"), 0.0);
}

#[tokio::test]
async fn metrics_on_their_own_listener_are_not_on_the_main_one() {
    let app = spawn_app_with(TestOptions { metrics_listener: true, ..Default::default() }).await;
    let main = app.http.get(format!("{}/metrics", app.url)).send().await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND, "neither metrics nor the web client");
    assert_eq!(main.json::<Value>().await.unwrap()["code"], "not_found");
    let text = scrape(&app, app.metrics_url.as_deref().expect("a metrics listener")).await;
    assert_eq!(sample(&text, "natter_sockets"), Some(0.0));
}

#[tokio::test]
async fn a_mail_node_serves_metrics_too() {
    let app = spawn_app_with(TestOptions { role: Some("mail".into()), ..Default::default() }).await;
    let text = scrape(&app, &app.url).await;
    assert_eq!(sample(&text, r#"natter_jobs{state="queued"}"#), Some(0.0));
}
