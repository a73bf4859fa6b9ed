//! Sessions: the token names a session; the session store decides.

use std::time::Duration;

use natter_testkit::{TestOptions, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ORIGIN: &str = "http://natter.test";

fn cookie_of(res: &reqwest::Response) -> String {
    res.headers()["set-cookie"].to_str().unwrap().to_owned()
}

async fn cookie_login(app: &natter_testkit::TestApp, email: &str) -> String {
    let code = app.request_code(email).await;
    let res = app.post_json("/verify", json!({ "email": email, "otp": code })).await;
    let set = cookie_of(&res);
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_lax_on_path_root_for_15_days() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let res = app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await;
    let set = cookie_of(&res);
    assert!(set.starts_with("natter_session="), "{set}");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1296000"] {
        assert!(set.contains(part), "{part} missing in {set}");
    }
    assert!(!set.contains("Secure"), "plain http public URL: no Secure flag");
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app = spawn_app_with(TestOptions {
        public_url: Some("https://chat.example.com".into()),
        ..Default::default()
    })
    .await;
    let code = app.request_code("ada@example.com").await;
    let res = app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await;
    assert!(cookie_of(&res).contains("Secure"));
}

#[tokio::test]
async fn logout_revokes_the_session_at_once() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    assert_eq!(app.get_authed("/me", &s.token).await.status(), StatusCode::OK);
    let res = app.http.post(app.api("/logout")).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(cookie_of(&res).contains("Max-Age=0"), "the cookie is cleared");
    let me = app.get_authed("/me", &s.token).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(me.json::<Value>().await.unwrap()["code"], "unauthenticated");
}

#[tokio::test]
async fn logging_out_one_session_keeps_the_others() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    app.clock.advance(Duration::from_secs(61));
    let b = app.login("ada@example.com").await;
    app.http.post(app.api("/logout")).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(app.get_authed("/me", &b.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_lasts_15_days() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    app.clock.advance(Duration::from_secs(15 * 24 * 3600 - 60));
    assert_eq!(app.get_authed("/me", &s.token).await.status(), StatusCode::OK);
    app.clock.advance(Duration::from_secs(60));
    assert_eq!(app.get_authed("/me", &s.token).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    let (dir, clock) = (app.data_dir.clone(), app.clock.clone());
    app.stop().await;
    let app =
        spawn_app_with(TestOptions { data_dir: Some(dir), clock: Some(clock), ..Default::default() }).await;
    let me = app.get_authed("/me", &s.token).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["email"], "ada@example.com");
}

#[tokio::test]
async fn a_cookie_request_with_an_unsafe_method_needs_an_allowed_origin() {
    let app = spawn_app().await;
    let cookie = cookie_login(&app, "ada@example.com").await;
    let update = |origin: Option<&str>| {
        let mut req =
            app.http.post(app.api("/update/user")).header("cookie", &cookie).json(&json!({ "name": "Ada" }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let none = update(None).await.unwrap();
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    assert_eq!(none.json::<Value>().await.unwrap()["code"], "origin_not_allowed");
    assert_eq!(update(Some("https://evil.example")).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(update(Some(ORIGIN)).await.unwrap().status(), StatusCode::OK);
    // Safe methods need no Origin.
    let me = app.http.get(app.api("/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["name"], "Ada");
}

#[tokio::test]
async fn a_bearer_request_needs_no_origin() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    let res = app
        .http
        .post(app.api("/update/user"))
        .bearer_auth(&s.token)
        .header("origin", "https://elsewhere.example")
        .json(&json!({ "name": "Ada" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_cross_site_form_cannot_log_a_browser_in() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    let res = app
        .http
        .post(app.api("/verify"))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": "ada@example.com", "otp": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!res.headers().contains_key("set-cookie"));
    // The code was not consumed by the refused request.
    assert_eq!(
        app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await.status(),
        StatusCode::OK
    );
}
