//! HTTP hygiene: JSON errors for everything, request ids, security headers, health.

use natter_testkit::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn assert_json_error(res: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(res.status(), status);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn an_unknown_server_route_is_a_json_404() {
    let app = spawn_app().await;
    for path in ["/api/v1/nope", "/api/nope", "/media/x", "/dev/nope", "/assets/missing.js"] {
        let res = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_json_error(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    let res = app.http.post(format!("{}/chat", app.url)).send().await.unwrap();
    assert_json_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_web_client_is_served_with_a_fallback_for_client_routes() {
    let app = spawn_app().await;
    if !natter_http::web_client_embedded() {
        eprintln!("built with NATTER_SKIP_WEB=1: no web client to check");
        return;
    }
    let index = app.http.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(index.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = index.text().await.unwrap();
    assert!(html.contains("<title>natter</title>"));
    let route = app.http.get(format!("{}/verify?email=a@b.co", app.url)).send().await.unwrap();
    assert_eq!(route.text().await.unwrap(), html, "client routes get index.html");
    let asset = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script tag");
    let res = app.http.get(format!("{}{asset}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = spawn_app().await;
    let res = app.http.get(app.api("/login")).send().await.unwrap();
    assert_json_error(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let res = app.http.delete(app.api("/me")).send().await.unwrap();
    assert_json_error(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_is_a_json_400() {
    let app = spawn_app().await;
    let res = app
        .http
        .post(app.api("/login"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    assert_json_error(res, StatusCode::BAD_REQUEST, "invalid_body").await;
}

#[tokio::test]
async fn a_one_megabyte_body_is_a_json_413_on_every_endpoint() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    let big = format!("{{\"email\":\"{}\"}}", "a".repeat(1 << 20));
    for path in ["/login", "/verify", "/update/user", "/logout"] {
        let res = app
            .http
            .post(app.api(path))
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_json_error(res, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    }
    // Chunked, without a Content-Length up front: still refused.
    let stream = futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b' '; 16 * 1024])));
    let res = app
        .http
        .post(app.api("/login"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_json_error(res, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    assert_eq!(
        app.get_authed("/me", &s.token).await.status(),
        StatusCode::OK,
        "logout with a huge body did nothing"
    );
}

#[tokio::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    for res in [
        app.http.get(format!("{}/healthz", app.url)).send().await.unwrap(),
        app.http.get(app.api("/me")).send().await.unwrap(),
        app.post_json("/login", json!({ "email": "a@b.co" })).await,
    ] {
        let h = res.headers();
        assert!(h["x-request-id"].len() >= 32);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
    let a = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    let b = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_ne!(a.headers()["x-request-id"], b.headers()["x-request-id"]);
    let echoed = app
        .http
        .get(format!("{}/healthz", app.url))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    let h: Value = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(h["status"], "ok");
    let r = app.http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "status": "ready", "dependencies": ["store"] }),
        "one node names its store"
    );
}

#[tokio::test]
async fn the_dev_mailbox_lists_code_mails_as_json_and_html() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let mails = app.mailbox().await;
    assert_eq!(mails[0]["to"], "ada@example.com");
    assert!(mails[0]["subject"].as_str().unwrap().contains(&code));
    assert!(mails[0]["sentAt"].as_str().unwrap().ends_with('Z'));
    let html = app.http.get(format!("{}/dev/mailbox", app.url)).send().await.unwrap();
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(html.text().await.unwrap().contains(&code));
}
