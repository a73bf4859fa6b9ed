//! Mail limits that stop a mail bomb without locking the address's owner out.

use std::time::Duration;

use natter_testkit::spawn::extract_code;
use natter_testkit::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::auth_rules::settle_mail;

const VICTIM: &str = "victim@x.example";
const SENTENCE: &str = "A login code is on its way to that address.";

async fn login_from(app: &TestApp, client: &reqwest::Client, email: &str) -> (StatusCode, Value) {
    let res = client.post(app.api("/login")).json(&json!({ "email": email })).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn verify_from(app: &TestApp, client: &reqwest::Client, email: &str, otp: &str) -> StatusCode {
    let body = json!({ "email": email, "otp": otp });
    client.post(app.api("/verify")).json(&body).send().await.unwrap().status()
}

/// The code of the newest mail to `email` (every code mail to an address lands in its
/// owner's inbox, whoever asked for it).
async fn newest_code(app: &TestApp, email: &str) -> String {
    let mails: Vec<Value> = app.mailbox().await.into_iter().filter(|m| m["to"] == email).collect();
    extract_code(mails[0]["body"].as_str().unwrap()).unwrap()
}

/// An attacker asks for codes for the victim's address every 5 seconds from one IP
/// for 2 minutes; the owner, on another network, tries to log in every 15 seconds.
/// In each of the 8 tries the owner gets the same 200 as always and holds a working
/// code: the newest code mail in its inbox, whether its own request or the
/// attacker's caused it.
///
/// A code is single-use and the owner's own network gets one mail a minute, so the
/// owner cannot spend a code at every try; instead each code is spent at the last try
/// that holds it (or at the end). A code works then only if it worked at every
/// earlier try too (nothing brings a code back), and by then the attacker has asked
/// for more codes, which must not have voided it.
#[tokio::test]
async fn an_attacker_asking_for_codes_cannot_lock_the_owner_out() {
    let app = spawn_app().await;
    let attacker = app.http_from("127.0.9.1");
    let owner = app.http_from("127.0.5.1");
    let mut attacker_statuses = Vec::new();
    let (mut held, mut tries_holding, mut tries_logged_in, mut owner_tries) = (None::<String>, 0, 0, 0);
    for step in 0..24 {
        attacker_statuses.push(login_from(&app, &attacker, VICTIM).await.0);
        if step % 3 == 0 {
            owner_tries += 1;
            let (status, body) = login_from(&app, &owner, VICTIM).await;
            assert_eq!(
                (status, body["message"].as_str()),
                (StatusCode::OK, Some(SENTENCE)),
                "try {owner_tries}"
            );
            settle_mail(&app).await;
            let newest = newest_code(&app, VICTIM).await;
            if held.as_deref() != Some(newest.as_str()) {
                if let Some(old) = held.replace(newest) {
                    assert_eq!(
                        verify_from(&app, &owner, VICTIM, &old).await,
                        StatusCode::OK,
                        "try {owner_tries}"
                    );
                    tries_logged_in += tries_holding;
                }
                tries_holding = 0;
            }
            tries_holding += 1;
        }
        app.clock.advance(Duration::from_secs(5));
    }
    assert_eq!(verify_from(&app, &owner, VICTIM, &held.unwrap()).await, StatusCode::OK);
    tries_logged_in += tries_holding;
    assert_eq!((owner_tries, tries_logged_in), (8, 8));
    // The attacker's own IP still runs into its limit (20 logins in 10 minutes).
    assert_eq!(attacker_statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 4);
    assert!(attacker_statuses[..20].iter().all(|s| *s == StatusCode::OK));
    // And the victim's inbox got a few mails, not one per request.
    assert!(app.mails_to(VICTIM).await <= 5, "{} mails", app.mails_to(VICTIM).await);
}

/// The attacker from many networks at once: every request answers 200, and the
/// address gets at most its ceiling of 10 code mails in the hour.
#[tokio::test]
async fn a_mail_bomb_from_many_networks_sends_at_most_the_ceiling_an_hour() {
    let app = spawn_app().await;
    let bombers: Vec<reqwest::Client> =
        (0..30).map(|i| app.http_from(&format!("127.0.{}.1", 10 + i))).collect();
    for _round in 0..3 {
        for b in &bombers {
            let (status, body) = login_from(&app, b, VICTIM).await;
            assert_eq!((status, body["message"].as_str()), (StatusCode::OK, Some(SENTENCE)));
        }
        app.clock.advance(Duration::from_secs(61));
    }
    settle_mail(&app).await;
    assert_eq!(app.mails_to(VICTIM).await, 10);
    // The newest of them works for the owner.
    let code = newest_code(&app, VICTIM).await;
    assert_eq!(verify_from(&app, &app.http, VICTIM, &code).await, StatusCode::OK);
    // An hour after the first, the budget refills.
    app.clock.advance(Duration::from_secs(3600));
    login_from(&app, &bombers[0], VICTIM).await;
    settle_mail(&app).await;
    assert_eq!(app.mails_to(VICTIM).await, 11);
}
