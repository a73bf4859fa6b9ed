//! Security headers on every answer, Socket.IO's (polling, its errors, preflights and
//! the websocket upgrade) and media's own stricter ones included.

use natter_testkit::{TestApp, fixtures, spawn_app};
use reqwest::header::HeaderMap;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn assert_page_headers(h: &HeaderMap, what: &str) {
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    let csp = header(h, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("base-uri 'none'"), "{what}: {csp}");
    assert_eq!(header(h, "referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test]
async fn socket_io_answers_carry_the_security_headers() {
    let app = spawn_app().await;
    let handshake =
        app.http.get(format!("{}/socket.io/?EIO=4&transport=polling", app.url)).send().await.unwrap();
    assert_eq!(handshake.status(), StatusCode::OK);
    assert_page_headers(handshake.headers(), "polling handshake");
    let bad = app
        .http
        .get(format!("{}/socket.io/?EIO=4&transport=polling&sid=no-such-session", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_page_headers(bad.headers(), "polling 400");
    let options = app
        .http
        .request(Method::OPTIONS, format!("{}/socket.io/?EIO=4&transport=polling", app.url))
        .header("origin", "http://natter.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_page_headers(options.headers(), "OPTIONS");
}

/// The raw HTTP/1.1 head of a websocket upgrade to Socket.IO.
async fn websocket_upgrade_head(app: &TestApp) -> String {
    let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        app.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(tcp.read(&mut byte).await.unwrap(), 1, "the server closed before its answer");
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

#[tokio::test]
async fn the_websocket_upgrade_carries_the_security_headers() {
    let app = spawn_app().await;
    let head = websocket_upgrade_head(&app).await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("\r\nx-content-type-options: nosniff\r\n"), "{head}");
    assert!(head.contains("frame-ancestors 'none'") && head.contains("base-uri 'none'"), "{head}");
    assert!(head.contains("\r\nreferrer-policy: no-referrer\r\n"), "{head}");
}

#[tokio::test]
async fn media_is_sandboxed_and_not_for_other_sites() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let form = Form::new().text("chatId", chat.clone()).text("clientId", "img-1").part(
        "image",
        Part::bytes(fixtures::png(20, 10)).file_name("dot.png").mime_str("image/png").unwrap(),
    );
    let res = app.http.post(app.api("/message")).bearer_auth(&a.token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let url = res.json::<Value>().await.unwrap()["message"]["image"]["url"].as_str().unwrap().to_owned();
    // Media URLs are absolute under the public URL, which the test server only pretends to be.
    let url = format!("{}{}", app.url, url.trim_start_matches(natter_testkit::spawn::PUBLIC_URL));
    let media = app.http.get(&url).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(media.status(), StatusCode::OK);
    let h = media.headers();
    assert_eq!(header(h, "content-security-policy"), "default-src 'none'; sandbox");
    assert_eq!(header(h, "cross-origin-resource-policy"), "same-site");
    assert_eq!(header(h, "x-content-type-options"), "nosniff");
    // The rest of the app keeps the page policy.
    let me = app.get_authed("/me", &a.token).await;
    assert_page_headers(me.headers(), "/me");
}
