//! A node serves only its roles' routes; every node answers health and readiness.

use natter_testkit::{TestOptions, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn status_and_code(app: &natter_testkit::TestApp, method: &str, path: &str) -> (StatusCode, Value) {
    let url = format!("{}{path}", app.url);
    let req = match method {
        "POST" => app.http.post(&url).json(&json!({ "email": "ada@example.com" })),
        _ => app.http.get(&url),
    };
    let res = req.send().await.unwrap();
    let status = res.status();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    (status, body["code"].clone())
}

#[tokio::test]
async fn a_mail_node_serves_no_rest_api_media_web_client_or_sockets_only_its_mailbox() {
    let app = spawn_app_with(TestOptions { role: Some("mail".into()), ..TestOptions::default() }).await;
    for (method, path) in [
        ("POST", "/api/v1/login"),
        ("GET", "/api/v1/me"),
        ("GET", "/media/x/y.png"),
        ("GET", "/"),
        ("GET", "/socket.io/?EIO=4&transport=polling"),
    ] {
        assert_eq!(
            status_and_code(&app, method, path).await,
            (StatusCode::NOT_FOUND, json!("not_found")),
            "{path}"
        );
    }
    // The console mailer's page is the mail node's: it is where the codes are printed.
    for path in ["/healthz", "/readyz", "/dev/mailbox.json"] {
        assert_eq!(app.http.get(format!("{}{path}", app.url)).send().await.unwrap().status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_realtime_node_serves_sockets_but_no_rest_api() {
    let app = spawn_app_with(TestOptions { role: Some("realtime".into()), ..TestOptions::default() }).await;
    assert_eq!(
        status_and_code(&app, "POST", "/api/v1/login").await,
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    assert_eq!(status_and_code(&app, "GET", "/").await, (StatusCode::NOT_FOUND, json!("not_found")));
    let handshake =
        app.http.get(format!("{}/socket.io/?EIO=4&transport=polling", app.url)).send().await.unwrap();
    assert_eq!(handshake.status(), StatusCode::OK, "the Engine.IO handshake is served");
}
