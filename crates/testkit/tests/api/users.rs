//! `me`, `update/user`, `user/all`, `user/:id`.

use std::time::Duration;

use natter_testkit::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn me_reads_the_user_from_the_store() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    app.post_authed("/update/user", &s.token, json!({ "name": "Ada Lovelace" })).await;
    let me: Value = app.get_authed("/me", &s.token).await.json().await.unwrap();
    assert_eq!(me["name"], "Ada Lovelace", "the name comes from the store, not the token");
    assert_eq!(me["email"], "ada@example.com");
    for field in ["_id", "createdAt", "updatedAt"] {
        assert!(me[field].is_string(), "{field}");
    }
    assert!(me["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn update_user_trims_the_name_and_answers_with_user_and_token() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    let res = app.post_authed("/update/user", &s.token, json!({ "name": "  Ada  " })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["name"], "Ada");
    assert_eq!(body["token"], s.token.as_str());
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn update_user_refuses_names_that_are_empty_or_too_long_and_changes_nothing() {
    let app = spawn_app().await;
    let s = app.login("ada@example.com").await;
    for bad in [json!(""), json!("   "), json!("x".repeat(51)), json!("a\u{202e}b"), json!("\u{200b}")] {
        let res = app.post_authed("/update/user", &s.token, json!({ "name": bad })).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_name");
        assert!(body["fields"]["name"].is_string());
    }
    let me: Value = app.get_authed("/me", &s.token).await.json().await.unwrap();
    assert_eq!(me["name"], "ada");
    assert_eq!(
        app.post_authed("/update/user", &s.token, json!({ "name": "é".repeat(50) })).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn user_all_lists_users_and_filters_by_name_or_email() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    app.post_authed("/update/user", &a.token, json!({ "name": "Ada Lovelace" })).await;
    app.login("bob@other.org").await;
    app.login("carol@example.com").await;
    let list = |q: &'static str| {
        let app = &app;
        let token = a.token.clone();
        async move {
            let res = app
                .http
                .get(app.api("/user/all"))
                .query(&[("q", q)])
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let users: Vec<Value> = res.json().await.unwrap();
            users.iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("").await.len(), 3);
    assert_eq!(list("lovelace").await, ["ada@example.com"]);
    assert_eq!(list("other.org").await, ["bob@other.org"]);
    assert_eq!(list("EXAMPLE").await.len(), 2);
    assert!(list("nobody").await.is_empty());
    let limited = app.http.get(app.api("/user/all?limit=1")).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(limited.json::<Vec<Value>>().await.unwrap().len(), 1);
}

#[tokio::test]
async fn user_by_id_needs_a_login_and_answers_404_for_unknown_ids() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    app.clock.advance(Duration::from_secs(1));
    let b = app.login("bob@example.com").await;
    let res = app.get_authed(&format!("/user/{}", b.user_id), &a.token).await;
    assert_eq!(res.json::<Value>().await.unwrap()["email"], "bob@example.com");
    let anon = app.http.get(app.api(&format!("/user/{}", b.user_id))).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    for id in ["0193a1b2-0000-7000-8000-000000000000", "not-an-id", "%00", "1%27%20or%201=1"] {
        let res = app.get_authed(&format!("/user/{id}"), &a.token).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{id}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "user_not_found");
    }
}

#[tokio::test]
async fn every_user_endpoint_needs_a_login() {
    let app = spawn_app().await;
    for (method, path) in
        [("GET", "/me"), ("POST", "/update/user"), ("GET", "/user/all"), ("POST", "/logout")]
    {
        let req = app.http.request(method.parse().unwrap(), app.api(path)).json(&json!({ "name": "x" }));
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthenticated");
    }
}
