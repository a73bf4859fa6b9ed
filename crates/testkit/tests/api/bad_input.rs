//! Bad input, per endpoint: each gets a 4xx JSON answer and changes nothing.

use std::time::Duration;

use natter_testkit::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = app.http.post(app.api(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn login_refuses_missing_wrong_typed_and_invalid_addresses() {
    let app = spawn_app().await;
    for body in [
        json!({}),
        json!({ "email": 5 }),
        json!({ "email": null }),
        json!({ "email": ["a@b.co"] }),
        json!([]),
        json!("a@b.co"),
    ] {
        let (status, b) = post(&app, "/login", None, body.clone()).await;
        assert_eq!((status, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")), "{body}");
    }
    for email in [
        "",
        " ",
        "plainaddress",
        "@example.com",
        "a@",
        "a@b",
        "a b@c.com",
        "a@b..com",
        "ünï@cödé.com",
        "a@b.com\u{0}",
        "\u{202e}moc.b@a",
        "a@b.c\u{200b}om",
        "a@-b.com",
        &format!("{}@b.com", "x".repeat(300)),
    ] {
        let (status, b) = post(&app, "/login", None, json!({ "email": email })).await;
        assert_eq!(
            (status, b["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_email")),
            "{email:?}"
        );
        assert!(b["fields"]["email"].is_string());
    }
    assert!(app.mailbox().await.is_empty(), "nothing was mailed");
}

#[tokio::test]
async fn verify_refuses_malformed_codes_without_using_up_a_try() {
    let app = spawn_app().await;
    let code = app.request_code("ada@example.com").await;
    for otp in
        [json!("12345"), json!("1234567"), json!("12a456"), json!("１２３４５６"), json!(""), json!(" ")]
    {
        let (status, b) =
            post(&app, "/verify", None, json!({ "email": "ada@example.com", "otp": otp })).await;
        assert_eq!((status, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_otp")), "{otp}");
    }
    for body in [
        json!({ "email": "ada@example.com" }),
        json!({ "email": "ada@example.com", "otp": 123456 }),
        json!({ "otp": code }),
    ] {
        let (status, b) = post(&app, "/verify", None, body).await;
        assert_eq!((status, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")));
    }
    // Ten malformed submissions later, the real code still works.
    let (status, _) = post(&app, "/verify", None, json!({ "email": "ada@example.com", "otp": code })).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn update_user_refuses_missing_and_wrong_typed_names() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    for body in [json!({}), json!({ "name": 1 }), json!({ "name": null }), json!({ "name": {} })] {
        let (status, b) = post(&app, "/update/user", Some(&s.token), body).await;
        assert_eq!((status, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")));
    }
    let res = app.http.get(app.api("/user/all?limit=abc")).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let long_q = "q".repeat(101);
    let res = app
        .http
        .get(app.api("/user/all"))
        .query(&[("q", long_q)])
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let me: Value = app.get_authed("/me", &s.token).await.json().await.unwrap();
    assert_eq!(me["name"], "ada");
}

#[tokio::test]
async fn unicode_names_round_trip_exactly() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    for name in ["Zoë 🦀", "李小龍", "Ａｄａ", "a\u{301}", "👩🏽‍💻👨‍👩‍👧"] {
        let (status, b) = post(&app, "/update/user", Some(&s.token), json!({ "name": name })).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(b["user"]["name"], name);
    }
}

#[tokio::test]
async fn malformed_tampered_and_expired_tokens_are_refused() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    let parts: Vec<&str> = s.token.split('.').collect();
    let b64 = |v: &Value| b64url(v.to_string().as_bytes());
    let claims: Value = serde_json::from_slice(&b64url_decode(parts[1])).unwrap();

    let mut forged_claims = claims.clone();
    forged_claims["sub"] = json!("0193a1b2-0000-7000-8000-000000000000");
    let mut expired = claims.clone();
    expired["exp"] = json!(1_000_000_000);
    let tokens = [
        "".to_string(),
        "garbage".into(),
        "a.b.c".into(),
        format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), parts[1]),
        format!("{}.{}.{}", b64(&json!({ "alg": "HS512", "typ": "JWT" })), parts[1], parts[2]),
        format!("{}.{}.{}", parts[0], b64(&forged_claims), parts[2]),
        format!("{}.{}.{}", parts[0], b64(&expired), parts[2]),
        format!("{}.{}.{}x", parts[0], parts[1], parts[2]),
        sign_with_other_key(&parts),
        "x".repeat(10_000),
    ];
    for t in &tokens {
        let res =
            app.http.get(app.api("/me")).header("authorization", format!("Bearer {t}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{t:.60}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthenticated");
    }
    // A revoked session's otherwise perfect token.
    app.http.post(app.api("/logout")).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(app.get_authed("/me", &s.token).await.status(), StatusCode::UNAUTHORIZED);
    app.clock.advance(Duration::from_secs(1));
}

fn sign_with_other_key(parts: &[&str]) -> String {
    use hmac::{Hmac, Mac};
    let input = format!("{}.{}", parts[0], parts[1]);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"not the server key").unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url(&mac.finalize().into_bytes()))
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn b64url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}
