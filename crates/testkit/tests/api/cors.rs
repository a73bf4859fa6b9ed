//! CORS, as a browser page on another origin sees it (API.md, "Cross-origin clients"):
//! the seed's client on http://localhost:3000 calling natter elsewhere.

use natter_testkit::socket::SocketOptions;
use natter_testkit::spawn::PUBLIC_URL;
use natter_testkit::{TestApp, TestOptions, TestSocket, spawn_app_with};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SEED_PAGE: &str = "http://localhost:3000";
const FOREIGN: &str = "https://evil.example";

/// The three surfaces a page on another origin calls, each with a path that exists.
const SURFACES: [&str; 3] =
    ["/api/v1/login", "/media/some-chat/some-image.jpg", "/socket.io/?EIO=4&transport=polling"];

async fn seed_topology() -> TestApp {
    spawn_app_with(TestOptions { allowed_origins: Some(SEED_PAGE.into()), ..Default::default() }).await
}

async fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> reqwest::Response {
    app.http
        .request(Method::OPTIONS, format!("{}{path}", app.url))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn cors_headers(h: &HeaderMap) -> Vec<String> {
    h.keys().map(|k| k.as_str().to_owned()).filter(|k| k.starts_with("access-control-")).collect()
}

fn varies_by_origin(h: &HeaderMap) -> bool {
    h.get_all("vary").iter().any(|v| v.to_str().unwrap_or("").to_ascii_lowercase().contains("origin"))
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_ascii_lowercase()).collect()
}

#[tokio::test]
async fn allowed_origins_get_a_preflight_with_credentials_on_every_surface() {
    let app = seed_topology().await;
    for origin in [SEED_PAGE, PUBLIC_URL] {
        for path in SURFACES {
            let res =
                preflight(&app, path, origin, "POST", "authorization, content-type, x-request-id").await;
            assert_eq!(res.status(), StatusCode::NO_CONTENT, "{origin} {path}");
            let h = res.headers();
            assert_eq!(header(h, "access-control-allow-origin"), origin, "the exact origin, never *");
            assert_eq!(header(h, "access-control-allow-credentials"), "true");
            let methods = list(header(h, "access-control-allow-methods"));
            for m in ["get", "post", "put", "patch", "delete"] {
                assert!(methods.contains(&m.to_owned()), "{m} in {methods:?}");
            }
            let allowed = list(header(h, "access-control-allow-headers"));
            for name in ["authorization", "content-type", "x-request-id"] {
                assert!(allowed.contains(&name.to_owned()), "{name} in {allowed:?}");
            }
            assert!(header(h, "access-control-max-age").parse::<u32>().is_ok_and(|s| s > 0));
            assert!(varies_by_origin(h));
        }
    }
}

#[tokio::test]
async fn foreign_and_null_origins_get_no_cors_header_on_any_surface() {
    let app = seed_topology().await;
    for origin in [FOREIGN, "null", "http://localhost:3001"] {
        for path in SURFACES {
            let res = preflight(&app, path, origin, "POST", "content-type").await;
            assert!(res.status().is_client_error(), "{origin} {path}: {}", res.status());
            assert_eq!(cors_headers(res.headers()), Vec::<String>::new(), "{origin} {path}");
            let res =
                app.http.get(format!("{}{path}", app.url)).header("origin", origin).send().await.unwrap();
            assert_eq!(cors_headers(res.headers()), Vec::<String>::new(), "{origin} GET {path}");
            assert!(varies_by_origin(res.headers()), "{origin} GET {path}");
        }
    }
}

#[tokio::test]
async fn answers_to_an_allowed_origin_carry_its_origin_and_expose_retry_after_and_the_request_id() {
    let app = seed_topology().await;
    let login = app
        .http
        .post(app.api("/login"))
        .header("origin", SEED_PAGE)
        .json(&json!({ "email": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    let media = app
        .http
        .get(format!("{}/media/some-chat/some-image.jpg", app.url))
        .header("origin", SEED_PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(media.status(), StatusCode::NOT_FOUND, "an error the page can read");
    let socket = app
        .http
        .get(format!("{}/socket.io/?EIO=4&transport=polling", app.url))
        .header("origin", SEED_PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(socket.status(), StatusCode::OK, "the polling handshake");
    assert!(socket.headers().get("access-control-allow-origin").is_some());
    assert!(socket.text().await.unwrap().contains("\"sid\""));
    for res in [&login, &media] {
        let h = res.headers();
        assert_eq!(header(h, "access-control-allow-origin"), SEED_PAGE, "{}", res.url());
        assert_eq!(header(h, "access-control-allow-credentials"), "true");
        let exposed = list(header(h, "access-control-expose-headers"));
        assert!(exposed.contains(&"retry-after".to_owned()) && exposed.contains(&"x-request-id".to_owned()));
        assert!(varies_by_origin(h));
    }
}

#[tokio::test]
async fn pages_and_health_outside_the_three_surfaces_get_no_cors() {
    let app = seed_topology().await;
    for path in ["/healthz", "/", "/dev/mailbox.json"] {
        let res =
            app.http.get(format!("{}{path}", app.url)).header("origin", SEED_PAGE).send().await.unwrap();
        assert_eq!(cors_headers(res.headers()), Vec::<String>::new(), "{path}");
    }
}

#[tokio::test]
async fn the_seed_client_on_its_own_origin_logs_in_calls_the_api_and_opens_a_socket() {
    let app = seed_topology().await;
    let page =
        |method: Method, path: &str| app.http.request(method, app.api(path)).header("origin", SEED_PAGE);
    // What the browser does before each cross-origin JSON call: a preflight, then the call.
    let pre = preflight(&app, "/api/v1/login", SEED_PAGE, "POST", "content-type").await;
    assert_eq!(pre.status(), StatusCode::NO_CONTENT);
    let res = page(Method::POST, "/login").json(&json!({ "email": "ada@example.com" })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let code = app.code_for("ada@example.com", 1).await;
    let res = page(Method::POST, "/verify")
        .json(&json!({ "email": "ada@example.com", "otp": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(res.headers(), "access-control-allow-origin"), SEED_PAGE);
    let token = res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    // The seed keeps the token in JavaScript and sends it as Bearer.
    let pre = preflight(&app, "/api/v1/me", SEED_PAGE, "GET", "authorization").await;
    assert_eq!(pre.status(), StatusCode::NO_CONTENT);
    let me = page(Method::GET, "/me").bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(header(me.headers(), "access-control-allow-origin"), SEED_PAGE);
    // And its socket: `auth: { token }` from the page's origin, on both transports.
    for polling_only in [true, false] {
        let opts = SocketOptions {
            auth: Some(json!({ "token": token })),
            headers: vec![("Origin".into(), SEED_PAGE.into())],
            polling_only,
        };
        let socket = TestSocket::try_connect(&app, opts).await;
        assert!(socket.is_ok(), "polling_only={polling_only}: {:?}", socket.err());
        if let Ok(s) = socket {
            s.disconnect().await;
        }
    }
}

#[tokio::test]
async fn the_cookie_origin_check_uses_the_same_list() {
    let app = seed_topology().await;
    let s = app.login("ada@example.com").await;
    let cookie = format!("natter_session={}", s.token);
    let rename = |origin: &'static str| {
        app.http
            .post(app.api("/update/user"))
            .header("origin", origin)
            .header("cookie", cookie.clone())
            .json(&json!({ "name": "Ada" }))
            .send()
    };
    assert_eq!(rename(SEED_PAGE).await.unwrap().status(), StatusCode::OK);
    assert_eq!(rename(PUBLIC_URL).await.unwrap().status(), StatusCode::OK);
    let foreign = rename(FOREIGN).await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(foreign.json::<Value>().await.unwrap()["code"], "origin_not_allowed");
    assert_eq!(rename("null").await.unwrap().status(), StatusCode::FORBIDDEN);
}
