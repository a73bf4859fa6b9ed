//! Who may join, through the real server: closed installs, invitations, allowed
//! domains, the first account being the admin, and who sees whose address.

use std::time::Duration;

use natter_testkit::{LoggedIn, Signup, TestApp, TestOptions, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn closed(domains: &str) -> TestApp {
    spawn_app_with(TestOptions { signup: Signup::Closed { domains: domains.into() }, ..Default::default() })
        .await
}

fn extract_code_of(mail: &Value) -> Option<String> {
    natter_testkit::spawn::extract_code(mail["body"].as_str().unwrap_or_default())
}

async fn verify(app: &TestApp, email: &str, otp: &str) -> (StatusCode, Value) {
    let res = app.post_json("/verify", json!({ "email": email, "otp": otp })).await;
    (res.status(), res.json().await.unwrap())
}

/// What a wrong code for a member's address answers: the reference a refusal must match.
async fn wrong_code_answer(app: &TestApp, member: &str) -> (StatusCode, Value) {
    verify(app, member, "000000").await
}

/// The newest mail to `email`, once it has arrived.
async fn newest_mail(app: &TestApp, email: &str, nth: usize) -> Value {
    natter_testkit::eventually(Duration::from_secs(10), "the mail", || async {
        let mails: Vec<Value> = app.mailbox().await.into_iter().filter(|m| m["to"] == email).collect();
        (mails.len() >= nth).then(|| mails[0].clone())
    })
    .await
}

async fn invite(app: &TestApp, who: &LoggedIn, email: &str) -> (StatusCode, Value) {
    let res = app.post_authed("/invites", &who.token, json!({ "email": email })).await;
    (res.status(), res.json().await.unwrap())
}

async fn user(app: &TestApp, viewer: &LoggedIn, id: &str) -> Value {
    let res = app.get_authed(&format!("/user/{id}"), &viewer.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn search(app: &TestApp, viewer: &LoggedIn, q: &str) -> Vec<Value> {
    let res = app
        .http
        .get(app.api("/user/all"))
        .query(&[("q", q)])
        .bearer_auth(&viewer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn user_count(app: &TestApp, admin: &LoggedIn) -> usize {
    search(app, admin, "").await.len()
}

#[tokio::test]
async fn a_closed_install_refuses_a_stranger_like_a_wrong_code() {
    let app = closed("").await;
    let admin = app.login("admin@example.com").await;
    let member_answer =
        app.post_json("/login", json!({ "email": "admin@example.com" })).await.text().await.unwrap();
    // The stranger's login answers exactly as a member's does...
    let res = app.post_json("/login", json!({ "email": "eve@evil.example" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), member_answer);
    // ...and the mail tells only the address's owner that it is not invited: no code.
    let mail = newest_mail(&app, "eve@evil.example", 1).await;
    assert!(mail["body"].as_str().unwrap().contains("not invited"), "{mail}");
    assert_eq!(extract_code_of(&mail), None);
    // Any code the stranger tries is refused exactly like a wrong code of a member.
    assert_eq!(
        verify(&app, "eve@evil.example", "123456").await,
        wrong_code_answer(&app, "admin@example.com").await
    );
    assert_eq!(user_count(&app, &admin).await, 1, "no account was made");
}

#[tokio::test]
async fn an_invited_address_gets_in_once_and_uses_the_invitation_up() {
    let app = closed("").await;
    let admin = app.login("admin@example.com").await;
    let (status, body) = invite(&app, &admin, " Dan@Example.org ").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["invite"]["email"], "dan@example.org");
    assert_eq!(body["invite"]["usedAt"], Value::Null);
    // Inviting the address again changes nothing.
    let (again, body_again) = invite(&app, &admin, "dan@example.org").await;
    assert_eq!(again, StatusCode::OK);
    assert_eq!(body_again["invite"], body["invite"]);

    let dan = app.login("dan@example.org").await;
    assert_eq!(dan.user["email"], "dan@example.org");
    let res = app.get_authed("/invites", &admin.token).await;
    let invites: Value = res.json().await.unwrap();
    assert_eq!(invites["invites"].as_array().unwrap().len(), 1);
    assert!(invites["invites"][0]["usedAt"].is_string(), "used up: {invites}");
    // A member can invite too, and sees only their own invitations.
    assert_eq!(invite(&app, &dan, "fay@example.org").await.0, StatusCode::CREATED);
    let mine: Value = app.get_authed("/invites", &dan.token).await.json().await.unwrap();
    assert_eq!(mine["invites"][0]["email"], "fay@example.org");
    assert_eq!(mine["invites"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invitations_need_a_member_and_a_valid_address_and_are_rate_limited() {
    let app = closed("").await;
    let admin = app.login("admin@example.com").await;
    let res = app.post_json("/invites", json!({ "email": "dan@example.org" })).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = invite(&app, &admin, "not an address").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_email")));
    assert!(body["fields"]["email"].is_string(), "{body}");
    let listed: Value = app.get_authed("/invites", &admin.token).await.json().await.unwrap();
    assert_eq!(listed["invites"], json!([]), "a refused invitation stores nothing");
    for i in 0..20 {
        assert_eq!(invite(&app, &admin, &format!("u{i}@example.org")).await.0, StatusCode::CREATED);
    }
    let (status, body) = invite(&app, &admin, "one-more@example.org").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
}

#[tokio::test]
async fn an_allowed_domain_gets_in_and_others_do_not() {
    let app = closed("corp.example, lab.example").await;
    let admin = app.login("admin@example.com").await;
    let carol = app.login("carol@corp.example").await;
    assert_eq!(carol.user["email"], "carol@corp.example");
    app.login("lin@LAB.example").await;
    app.post_json("/login", json!({ "email": "eve@sub.corp.example" })).await;
    let mail = newest_mail(&app, "eve@sub.corp.example", 1).await;
    assert_eq!(extract_code_of(&mail), None, "a subdomain is another domain");
    assert_eq!(user_count(&app, &admin).await, 3);
}

#[tokio::test]
async fn the_first_user_of_a_non_loopback_install_is_admin_and_the_second_stranger_is_refused() {
    let app = spawn_app_with(TestOptions { signup: Signup::InstallDefault, ..Default::default() }).await;
    // Both ask before anyone has an account, so both get a real code...
    let first_code = app.request_code("first@example.com").await;
    let second_code = app.request_code("second@example.com").await;
    let (status, first) = verify(&app, "first@example.com", &first_code).await;
    assert_eq!(status, StatusCode::OK);
    // ...but once the first is in, the second's right code answers like a wrong one.
    let refused = verify(&app, "second@example.com", &second_code).await;
    let first = LoggedIn {
        token: first["token"].as_str().unwrap().into(),
        user_id: first["user"]["_id"].as_str().unwrap().into(),
        user: first["user"].clone(),
    };
    assert_eq!(refused, wrong_code_answer(&app, "first@example.com").await);
    assert_eq!(refused.1["code"], "invalid_otp");
    assert_eq!(user_count(&app, &first).await, 1);
    // The first account is the admin: it sees the address of someone it shares no
    // chat with, and finds them by part of it; a member does neither.
    invite(&app, &first, "bob@example.com").await;
    invite(&app, &first, "carol@example.com").await;
    let bob = app.login("bob@example.com").await;
    let carol = app.login("carol@example.com").await;
    assert_eq!(user(&app, &first, &bob.user_id).await["email"], "bob@example.com");
    let found = search(&app, &first, "bob@exa").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], "bob@example.com");
    assert_eq!(user(&app, &carol, &bob.user_id).await["email"], "");
    assert!(search(&app, &carol, "bob@exa").await.is_empty());
}

#[tokio::test]
async fn a_loopback_install_stays_open() {
    let app = spawn_app_with(TestOptions {
        signup: Signup::InstallDefault,
        public_url: Some("http://localhost:8080".into()),
        ..Default::default()
    })
    .await;
    app.login("ada@example.com").await;
    let bob = app.login("bob@example.com").await;
    assert_eq!(bob.user["email"], "bob@example.com");
}

#[tokio::test]
async fn emails_are_shown_to_the_user_chat_partners_and_admins_only() {
    let app = spawn_app().await;
    let admin = app.login("ada@example.com").await; // the first account
    let bob = app.login("bob@example.com").await;
    let carol = app.login("carol@example.com").await;
    let dan = app.login("dan@example.com").await;
    let chat = app.start_chat(&bob, &carol.user_id).await;

    // The user themself.
    let me: Value = app.get_authed("/me", &carol.token).await.json().await.unwrap();
    assert_eq!(me["email"], "carol@example.com");
    assert_eq!(carol.user["email"], "carol@example.com");
    // A chat partner: in the profile, the chat list and the message page.
    assert_eq!(user(&app, &bob, &carol.user_id).await["email"], "carol@example.com");
    let list: Value = app.get_authed("/chat/all", &bob.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["user"]["email"], "carol@example.com");
    let page: Value = app.get_authed(&format!("/message/{chat}"), &bob.token).await.json().await.unwrap();
    assert_eq!(page["user"]["email"], "carol@example.com");
    // An admin.
    assert_eq!(user(&app, &admin, &carol.user_id).await["email"], "carol@example.com");
    // A stranger sees the name, and an empty address (still a string for old clients).
    let seen = user(&app, &dan, &carol.user_id).await;
    assert_eq!((seen["name"].as_str(), seen["email"].as_str()), (Some("carol"), Some("")));
    let listed = search(&app, &dan, "").await;
    assert_eq!(listed.len(), 4);
    for u in &listed {
        let own = u["_id"] == dan.user_id.as_str();
        assert_eq!(u["email"] == "dan@example.com", own, "only dan's own address: {u}");
        assert!(own || u["email"] == "", "{u}");
    }
}

#[tokio::test]
async fn a_strangers_search_is_no_email_oracle() {
    let app = spawn_app().await;
    app.login("ada@example.com").await;
    let grace = app.login("grace@navy.example").await;
    let renamed = app.post_authed("/update/user", &grace.token, json!({ "name": "Admiral" })).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let dan = app.login("dan@example.com").await;
    for partial in ["navy", "grace@", "grace@navy", "navy.example", "@navy.example", "e"] {
        let found = search(&app, &dan, partial).await;
        assert!(
            found.iter().all(|u| u["_id"] != grace.user_id.as_str()),
            "{partial:?} found grace: {found:?}"
        );
    }
    // The whole address finds the colleague, with the address the searcher typed.
    let found = search(&app, &dan, "Grace@Navy.example").await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0]["name"].as_str(), found[0]["email"].as_str()),
        (Some("Admiral"), Some("grace@navy.example"))
    );
    // Names still match as before.
    assert_eq!(search(&app, &dan, "admir").await[0]["email"], "");
}
