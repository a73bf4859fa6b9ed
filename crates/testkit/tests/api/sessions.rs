//! Sessions: the token names a session; the session store decides.

use std::time::Duration;

use natter_testkit::socket::SocketOptions;
use natter_testkit::{TestOptions, TestSocket, spawn_app, spawn_app_with};
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

#[tokio::test]
async fn on_an_https_public_url_the_cookie_is_host_only_and_read_under_that_name_alone() {
    const HTTPS: &str = "https://chat.example.com";
    let app = spawn_app_with(TestOptions { public_url: Some(HTTPS.into()), ..Default::default() }).await;
    let code = app.request_code("ada@example.com").await;
    let res = app.post_json("/verify", json!({ "email": "ada@example.com", "otp": code })).await;
    let set = cookie_of(&res);
    assert!(set.starts_with("__Host-natter_session="), "{set}");
    for part in ["Secure", "Path=/", "HttpOnly"] {
        assert!(set.contains(part), "{part} missing in {set}");
    }
    assert!(!set.to_ascii_lowercase().contains("domain="), "{set}");
    let token = set.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let me = |cookie: String| app.http.get(app.api("/me")).header("cookie", cookie).send();
    assert_eq!(me(format!("__Host-natter_session={token}")).await.unwrap().status(), StatusCode::OK);
    // A plain-named cookie is one this server never set (a sibling subdomain could).
    assert_eq!(me(format!("natter_session={token}")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // The socket handshake reads the same name.
    let socket = |cookie: String| SocketOptions {
        headers: vec![("Cookie".into(), cookie), ("Origin".into(), HTTPS.into())],
        ..Default::default()
    };
    TestSocket::try_connect(&app, socket(format!("__Host-natter_session={token}")))
        .await
        .expect("the host-only cookie opens a socket")
        .disconnect()
        .await;
    let plain = TestSocket::try_connect(&app, socket(format!("natter_session={token}"))).await.err();
    assert!(plain.as_deref().is_some_and(|e| e.contains("unauthorized")), "{plain:?}");
}

#[tokio::test]
async fn on_a_plain_http_public_url_the_cookie_keeps_its_plain_name_on_both_paths() {
    let app = spawn_app().await;
    let cookie = cookie_login(&app, "ada@example.com").await;
    assert!(cookie.starts_with("natter_session="), "{cookie}");
    let me = app.http.get(app.api("/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let host_named = cookie.replacen("natter_session=", "__Host-natter_session=", 1);
    let me = app.http.get(app.api("/me")).header("cookie", &host_named).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let socket = |cookie: String| SocketOptions {
        headers: vec![("Cookie".into(), cookie), ("Origin".into(), ORIGIN.into())],
        ..Default::default()
    };
    TestSocket::try_connect(&app, socket(cookie.clone()))
        .await
        .expect("the cookie opens a socket")
        .disconnect()
        .await;
    assert!(TestSocket::try_connect(&app, socket(host_named)).await.is_err());
}

/// The session token re-signed with the server's own key after `edit` changed its
/// header and claims: what the server would accept if it only checked the signature.
fn resigned(app: &natter_testkit::TestApp, token: &str, edit: impl Fn(&mut Value, &mut Value)) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut header: Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    edit(&mut header, &mut claims);
    let key = natter_app::secrets::Secrets::derive(&app.data_dir.master_secret()).token_key;
    let input = format!("{}.{}", b64.encode(header.to_string()), b64.encode(claims.to_string()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64.encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_correctly_signed_token_that_is_not_yet_valid_or_names_a_key_is_refused() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    // The control: re-signing alone keeps the token good, so a refusal below is the claim's.
    let same = resigned(&app, &s.token, |_, _| {});
    assert_eq!(app.get_authed("/me", &same).await.status(), StatusCode::OK);
    let later = |c: &mut Value| c["iat"].as_i64().unwrap() + 3600;
    let forged = [
        ("nbf in an hour", resigned(&app, &s.token, |_, c| c["nbf"] = json!(later(c)))),
        ("iat in an hour", resigned(&app, &s.token, |_, c| c["iat"] = json!(later(c)))),
        ("typ JWE", resigned(&app, &s.token, |h, _| h["typ"] = json!("JWE"))),
        ("a kid", resigned(&app, &s.token, |h, _| h["kid"] = json!("natter-2"))),
    ];
    for (what, token) in forged {
        let res = app.get_authed("/me", &token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthenticated");
    }
    // Once the server's clock reaches nbf, that token is fine.
    let nbf = resigned(&app, &s.token, |_, c| c["nbf"] = json!(later(c)));
    app.clock.advance(Duration::from_secs(3600));
    assert_eq!(app.get_authed("/me", &nbf).await.status(), StatusCode::OK);
}
