//! Whose bucket a login counts in: the client's, also behind a reverse proxy
//! (`NATTER_TRUSTED_PROXIES` + `X-Forwarded-For`), with IPv6 grouped by /64.

use std::time::Duration;

use natter_app::auth::AuthPolicy;
use natter_domain::ports::Rate;
use natter_testkit::{TestApp, TestOptions, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

/// One code request per address per ten minutes, so a second one shows the bucket.
fn one_login_per_ip() -> AuthPolicy {
    AuthPolicy {
        login_per_ip: Rate::per(1, Duration::from_secs(600)),
        verify_per_ip: Rate::per(1, Duration::from_secs(600)),
        ..AuthPolicy::default()
    }
}

async fn app(trusted_proxies: Option<&str>) -> TestApp {
    spawn_app_with(TestOptions {
        auth_policy: Some(one_login_per_ip()),
        trusted_proxies: trusted_proxies.map(str::to_owned),
        ..Default::default()
    })
    .await
}

/// A code request for a fresh address (so only the per-IP limit can refuse it), as
/// the proxy forwards it.
async fn login_via(app: &TestApp, forwarded_for: &str, n: usize) -> StatusCode {
    app.http
        .post(app.api("/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": format!("user{n}@example.com") }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn two_clients_behind_a_trusted_proxy_get_separate_buckets() {
    let app = app(Some("127.0.0.1")).await;
    assert_eq!(login_via(&app, "203.0.113.1", 1).await, StatusCode::OK);
    assert_eq!(login_via(&app, "203.0.113.2", 2).await, StatusCode::OK, "another client, another bucket");
    assert_eq!(login_via(&app, "203.0.113.1", 3).await, StatusCode::TOO_MANY_REQUESTS);
    // What the client wrote left of what our proxy appended counts for nothing.
    assert_eq!(login_via(&app, "198.51.100.7, 203.0.113.1", 4).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn verify_attempts_count_per_forwarded_client_too() {
    let app = app(Some("127.0.0.0/8")).await;
    let verify = |client: &'static str| {
        app.http
            .post(app.api("/verify"))
            .header("x-forwarded-for", client)
            .json(&json!({ "email": "ada@example.com", "otp": "000000" }))
            .send()
    };
    assert_eq!(verify("203.0.113.1").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(verify("203.0.113.1").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(verify("203.0.113.2").await.unwrap().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_ignored() {
    for trusted in [None, Some("10.0.0.0/8")] {
        let app = app(trusted).await;
        assert_eq!(login_via(&app, "203.0.113.1", 1).await, StatusCode::OK);
        let res = login_via(&app, "203.0.113.2", 2).await;
        assert_eq!(res, StatusCode::TOO_MANY_REQUESTS, "trusted={trusted:?}: the peer is the client");
    }
}

#[tokio::test]
async fn two_ipv6_addresses_in_one_64_share_a_bucket() {
    let app = app(Some("127.0.0.1")).await;
    assert_eq!(login_via(&app, "2001:db8:1:2::1", 1).await, StatusCode::OK);
    assert_eq!(login_via(&app, "2001:db8:1:2:ffff:ffff:ffff:ffff", 2).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_via(&app, "2001:db8:1:3::1", 3).await, StatusCode::OK, "the next /64 is someone else");
}
