//! Notifications that find a member who is not looking (issue 13): Web Push to a
//! push service process of the test's own, whose devices decrypt what arrives; the
//! still-unread mail in the mailbox; muted chats; the settings that steer them.

use std::time::Duration;

use natter_app::push::PUSH_GRACE;
use natter_testkit::push_service::{PushDevice, PushServiceProcess, verify_vapid};
use natter_testkit::{LoggedIn, TestApp, TestOptions, TestSocket, eventually, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn with_push_service() -> (TestApp, PushServiceProcess) {
    let service = PushServiceProcess::start().await;
    let app =
        spawn_app_with(TestOptions { push_allow: Some(service.origin.clone()), ..Default::default() }).await;
    (app, service)
}

async fn subscribe(app: &TestApp, who: &LoggedIn, device: &PushDevice) -> reqwest::Response {
    app.post_authed("/push/subscriptions", &who.token, device.subscription()).await
}

async fn mute(app: &TestApp, who: &LoggedIn, chat: &str, muted: bool) -> StatusCode {
    let url = app.api(&format!("/chat/{chat}/mute"));
    let req = if muted { app.http.put(url) } else { app.http.delete(url) };
    req.bearer_auth(&who.token).send().await.unwrap().status()
}

/// `(done, dead)` per job of `kind`.
async fn jobs_of(app: &TestApp, kind: &str) -> Vec<(bool, bool)> {
    app.db_rows::<(bool, bool)>(&format!(
        "select done_at is not null, dead_at is not null from jobs where kind = '{kind}'"
    ))
    .await
}

/// Past the grace, then until every push check written so far has run.
async fn checks_ran(app: &TestApp) {
    app.clock.advance(PUSH_GRACE + Duration::from_millis(100));
    eventually(Duration::from_secs(10), "the push checks to run", || async {
        jobs_of(app, "notify_message").await.iter().all(|&(done, _)| done).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_message_to_an_offline_member_arrives_encrypted_and_decrypts_to_sender_and_text() {
    let (app, service) = with_push_service().await;
    let (ada, bob, chat) = app.pair().await;
    let key: Value = app.get_authed("/push/key", &bob.token).await.json().await.unwrap();
    let public_key = key["publicKey"].as_str().unwrap().to_owned();
    let phone = PushDevice::new(service.endpoint("bob-phone"));
    let laptop = PushDevice::new(service.endpoint("bob-laptop"));
    for device in [&phone, &laptop] {
        let res = subscribe(&app, &bob, device).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["endpoint"], device.endpoint.as_str());
    }
    // Subscribing the same device again replaces it: still one push per device.
    assert_eq!(subscribe(&app, &bob, &phone).await.status(), StatusCode::CREATED);

    let sent = app.send_text(&ada, &chat, "Lunch at one?\nsecond line").await;
    assert!(service.received().is_empty(), "nothing before the grace is over");
    checks_ran(&app).await;
    let pushes = eventually(Duration::from_secs(10), "a push to each of Bob's devices", || async {
        let got = service.received();
        (got.len() >= 2).then_some(got)
    })
    .await;
    assert_eq!(pushes.len(), 2, "one push per device, none to the sender");
    for device in [&phone, &laptop] {
        let push = pushes.iter().find(|p| device.endpoint.ends_with(&p.device)).unwrap();
        assert_eq!(push.headers.get("content-encoding").map(String::as_str), Some("aes128gcm"));
        assert!(push.headers.contains_key("ttl"), "{:?}", push.headers);
        assert!(!String::from_utf8_lossy(&push.body).contains("Lunch"), "the body is encrypted");
        let note = device.decrypt(push);
        assert_eq!(note["type"], "message");
        assert_eq!(note["title"], ada.user["name"], "the sender");
        assert_eq!(note["body"], "Lunch at one?", "the first line of the text");
        assert_eq!(note["chatId"], chat.as_str());
        assert_eq!(note["messageId"], sent["_id"]);
        assert_eq!(note["url"], format!("/chat/{chat}"));
        let claims = verify_vapid(push, &public_key);
        assert_eq!(claims["aud"], service.origin.as_str());
        assert_eq!(claims["sub"], "mailto:no-reply@localhost");
    }
    // Ada has no device: nothing else arrived, and no push job failed.
    assert!(jobs_of(&app, "send_push").await.iter().all(|&(done, dead)| done && !dead));
}

#[tokio::test]
async fn nothing_is_pushed_to_a_member_viewing_the_chat_or_for_a_muted_chat() {
    let (app, service) = with_push_service().await;
    let (ada, bob, chat) = app.pair().await;
    let cy = app.login("cy@example.com").await;
    let other = app.start_chat(&ada, &cy.user_id).await;
    let phone = PushDevice::new(service.endpoint("bob-phone"));
    let cys = PushDevice::new(service.endpoint("cy-phone"));
    assert_eq!(subscribe(&app, &bob, &phone).await.status(), StatusCode::CREATED);
    assert_eq!(subscribe(&app, &cy, &cys).await.status(), StatusCode::CREATED);
    let dan = app.login("dan@example.com").await;
    let to_dan = app.start_chat(&ada, &dan.user_id).await;
    let dans = PushDevice::new(service.endpoint("dan-phone"));
    assert_eq!(subscribe(&app, &dan, &dans).await.status(), StatusCode::CREATED);
    let off =
        app.http.patch(app.api("/me/settings")).bearer_auth(&dan.token).json(&json!({ "desktop": false }));
    assert_eq!(off.send().await.unwrap().status(), StatusCode::OK);

    // Bob has the chat open: it is read on arrival, so nothing is pushed to him.
    let socket = TestSocket::connect(&app, &bob.token).await;
    assert_eq!(socket.ack("joinChat", json!(chat)).await["ok"], true);
    app.send_text(&ada, &chat, "you are looking at this").await;
    // Cy muted her chat with Ada.
    assert_eq!(mute(&app, &cy, &other, true).await, StatusCode::NO_CONTENT);
    app.send_text(&ada, &other, "muted, so silent").await;
    app.send_text(&ada, &to_dan, "Dan wants no pushes").await;
    checks_ran(&app).await;
    // And a control that does push, after both: once it arrives, the others would have.
    assert_eq!(socket.ack("leaveChat", json!(chat)).await["ok"], true);
    app.send_text(&ada, &chat, "now you are away").await;
    checks_ran(&app).await;
    let got = eventually(Duration::from_secs(10), "the push of the last message", || async {
        let got = service.received();
        (!got.is_empty()).then_some(got)
    })
    .await;
    assert_eq!(got.len(), 1, "only the message Bob was not viewing: {got:?}");
    // Dan turned desktop notifications off: his device gets nothing either.
    assert!(service.received_for("dan-phone").is_empty(), "desktop off pushes nothing");
    assert_eq!(phone.decrypt(&got[0])["body"], "now you are away");
    assert!(service.received_for("cy-phone").is_empty(), "a muted chat pushes nothing");
}

#[tokio::test]
async fn a_device_the_push_service_says_is_gone_is_forgotten() {
    let (app, service) = with_push_service().await;
    let (ada, bob, chat) = app.pair().await;
    let old = PushDevice::new(service.endpoint("old-browser"));
    assert_eq!(subscribe(&app, &bob, &old).await.status(), StatusCode::CREATED);
    service.answer("old-browser", 410);
    app.send_text(&ada, &chat, "hello?").await;
    checks_ran(&app).await;
    eventually(Duration::from_secs(10), "the subscription to be dropped", || async {
        let left: Vec<(String,)> = app.db_rows("select endpoint from push_subscriptions").await;
        left.is_empty().then_some(())
    })
    .await;
    assert_eq!(service.received_for("old-browser").len(), 1, "tried once, not retried");
    assert!(jobs_of(&app, "send_push").await.iter().all(|&(done, dead)| done && !dead));
}

#[tokio::test]
async fn a_push_service_that_fails_is_tried_again() {
    let (app, service) = with_push_service().await;
    let (ada, bob, chat) = app.pair().await;
    let phone = PushDevice::new(service.endpoint("flaky"));
    assert_eq!(subscribe(&app, &bob, &phone).await.status(), StatusCode::CREATED);
    service.answer("flaky", 503);
    app.send_text(&ada, &chat, "try again").await;
    checks_ran(&app).await;
    eventually(Duration::from_secs(10), "a failed try", || async {
        (!service.received_for("flaky").is_empty()).then_some(())
    })
    .await;
    service.answer("flaky", 201);
    // The retry is due after the backoff (on the manual clock).
    for _ in 0..50 {
        if jobs_of(&app, "send_push").await.iter().all(|&(done, _)| done) {
            break;
        }
        app.clock.advance(Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(jobs_of(&app, "send_push").await.iter().all(|&(done, dead)| done && !dead));
    let got = service.received_for("flaky");
    assert!(got.len() >= 2, "{got:?}");
    assert_eq!(phone.decrypt(got.last().unwrap())["body"], "try again");
}

#[tokio::test]
async fn only_https_endpoints_on_public_hosts_and_real_keys_are_accepted() {
    let app = spawn_app().await;
    let bob = app.login("bob@example.com").await;
    for endpoint in [
        "http://127.0.0.1:9/push/x",
        "https://127.0.0.1/push/x",
        "https://10.0.0.7/push/x",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/push",
        "https://metadata.internal/push",
        "http://fcm.googleapis.com/fcm/send/x",
        "ftp://fcm.googleapis.com/x",
    ] {
        let device = PushDevice::new(endpoint.into());
        let res = subscribe(&app, &bob, &device).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{endpoint}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_push_endpoint", "{endpoint}");
    }
    let good = PushDevice::new("https://fcm.googleapis.com/fcm/send/abc".into());
    let mut bad_keys = good.subscription();
    bad_keys["keys"]["p256dh"] = json!("AAAA");
    let res = app.post_authed("/push/subscriptions", &bob.token, bad_keys).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_push_keys");
    let mut bad_auth = good.subscription();
    bad_auth["keys"]["auth"] = json!("c2hvcnQ");
    let res = app.post_authed("/push/subscriptions", &bob.token, bad_auth).await;
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_push_keys");
    let res = app.post_authed("/push/subscriptions", &bob.token, json!({ "endpoint": 5 })).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Vec<(String,)> = app.db_rows("select endpoint from push_subscriptions").await;
    assert!(rows.is_empty(), "nothing refused was stored");

    // A real one is kept, and unsubscribing removes it; no login, no subscription.
    assert_eq!(subscribe(&app, &bob, &good).await.status(), StatusCode::CREATED);
    let anon = app.http.post(app.api("/push/subscriptions")).json(&good.subscription()).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    // Another user cannot remove Bob's device.
    let eve = app.login("eve@example.com").await;
    let del = |who: &LoggedIn| {
        app.http
            .delete(app.api("/push/subscriptions"))
            .bearer_auth(who.token.clone())
            .json(&json!({ "endpoint": good.endpoint }))
            .send()
    };
    assert_eq!(del(&eve).await.unwrap().status(), StatusCode::NO_CONTENT);
    let rows: Vec<(String,)> = app.db_rows("select endpoint from push_subscriptions").await;
    assert_eq!(rows.len(), 1, "Eve's delete changed nothing");
    assert_eq!(del(&bob).await.unwrap().status(), StatusCode::NO_CONTENT);
    let rows: Vec<(String,)> = app.db_rows("select endpoint from push_subscriptions").await;
    assert!(rows.is_empty());
}

#[tokio::test]
async fn muting_is_per_member_shown_in_the_list_and_told_to_the_members_other_tabs() {
    let app = spawn_app().await;
    let (ada, bob, chat) = app.pair().await;
    let muted_in = |who: &LoggedIn| {
        let (app, token, chat) = (&app, who.token.clone(), chat.clone());
        async move {
            let list: Value = app.get_authed("/chat/all", &token).await.json().await.unwrap();
            list["chats"].as_array().unwrap().iter().find(|r| r["chat"]["_id"] == chat.as_str()).unwrap()["chat"]
                ["muted"]
                .clone()
        }
    };
    assert_eq!(muted_in(&bob).await, false);
    let mut tab = TestSocket::connect(&app, &bob.token).await;
    assert_eq!(mute(&app, &bob, &chat, true).await, StatusCode::NO_CONTENT);
    let told = tab.expect("chatMuted").await;
    assert_eq!(told, json!({ "chatId": chat, "muted": true }));
    assert_eq!(mute(&app, &bob, &chat, true).await, StatusCode::NO_CONTENT, "again: no change");
    assert_eq!(muted_in(&bob).await, true);
    assert_eq!(muted_in(&ada).await, false, "Ada's view is hers");
    // Unread still counts while muted.
    app.send_text(&ada, &chat, "still counted").await;
    let list: Value = app.get_authed("/chat/all", &bob.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["chat"]["unseenCount"], 1);
    assert_eq!(mute(&app, &bob, &chat, false).await, StatusCode::NO_CONTENT);
    assert_eq!(tab.expect("chatMuted").await["muted"], false);
    assert_eq!(muted_in(&bob).await, false);
    // Not a member, or no such chat.
    let eve = app.login("eve@example.com").await;
    assert_eq!(mute(&app, &eve, &chat, true).await, StatusCode::FORBIDDEN);
    assert_eq!(mute(&app, &eve, "not-a-chat", true).await, StatusCode::NOT_FOUND);
    assert_eq!(muted_in(&bob).await, false, "Eve changed nothing");
}

#[tokio::test]
async fn the_unread_mail_setting_takes_the_choices_and_nothing_else() {
    let app = spawn_app().await;
    let bob = app.login("bob@example.com").await;
    let get = || async { app.get_authed("/me/settings", &bob.token).await.json::<Value>().await.unwrap() };
    let patch = |body: Value| {
        app.http.patch(app.api("/me/settings")).bearer_auth(bob.token.clone()).json(&body).send()
    };
    assert_eq!(get().await["unreadMailAfterMinutes"], 15, "the default");
    for choice in [json!(5), json!(60), Value::Null] {
        let res = patch(json!({ "unreadMailAfterMinutes": choice })).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["unreadMailAfterMinutes"], choice);
        assert_eq!(get().await["unreadMailAfterMinutes"], choice);
    }
    // Another setting leaves it as it is.
    let res = patch(json!({ "sound": false })).await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["unreadMailAfterMinutes"], Value::Null);
    for bad in [json!(7), json!(0), json!(-5), json!("15"), json!(1e9)] {
        let res = patch(json!({ "unreadMailAfterMinutes": bad })).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(get().await["unreadMailAfterMinutes"], Value::Null, "nothing refused changed it");
}

/// The still-unread mails in the dev mailbox to `email`.
async fn unread_mails(app: &TestApp, email: &str) -> Vec<Value> {
    app.mailbox()
        .await
        .into_iter()
        .filter(|m| m["to"] == email && m["subject"].as_str().is_some_and(|s| s.contains("unread")))
        .collect()
}

async fn wait_for_unread_mail(app: &TestApp, email: &str, count: usize) -> Vec<Value> {
    eventually(Duration::from_secs(15), "a still-unread mail", || async {
        let mails = unread_mails(app, email).await;
        (mails.len() >= count).then_some(mails)
    })
    .await
}

#[tokio::test]
async fn an_unread_message_yields_one_mail_after_the_delay_and_at_most_one_an_hour() {
    let app =
        spawn_app_with(TestOptions { unread_mail_delay: Some("3s".into()), ..Default::default() }).await;
    let (ada, bob, chat) = app.pair().await;
    app.send_text(&ada, &chat, "Are we still on for Friday?").await;
    app.clock.advance(Duration::from_secs(4));
    let mails = wait_for_unread_mail(&app, "bob@example.com", 1).await;
    let body = mails[0]["body"].as_str().unwrap();
    assert!(body.contains("Are we still on for Friday?"), "{body}");
    assert!(body.contains(&format!("/chat/{chat}")), "a link to the chat: {body}");
    assert!(mails[0]["subject"].as_str().unwrap().contains("1 unread message"), "{}", mails[0]["subject"]);
    assert!(unread_mails(&app, "ada@example.com").await.is_empty(), "the sender has nothing unread");

    // Another unread message within the hour: no second mail yet.
    app.send_text(&ada, &chat, "Hello?").await;
    app.clock.advance(Duration::from_secs(10 * 60));
    // A control: Cy's mail, due in the same look, arrives; Bob's second would have too.
    let cy = app.login("cy@example.com").await;
    let other = app.start_chat(&ada, &cy.user_id).await;
    app.send_text(&ada, &other, "Hi Cy").await;
    app.clock.advance(Duration::from_secs(4));
    wait_for_unread_mail(&app, "cy@example.com", 1).await;
    assert_eq!(unread_mails(&app, "bob@example.com").await.len(), 1, "at most one an hour");

    // An hour on: one more, about the message not mailed yet only.
    app.clock.advance(Duration::from_secs(60 * 60));
    let mails = wait_for_unread_mail(&app, "bob@example.com", 2).await;
    let bodies: Vec<&str> = mails.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 2);
    let second = bodies.iter().find(|b| b.contains("Hello?")).expect("a mail about the newer message");
    assert!(!second.contains("Friday"), "a message is in one mail only: {second}");
    let _ = bob;
}

#[tokio::test]
async fn a_read_message_a_muted_chat_and_mail_turned_off_yield_no_mail() {
    let app =
        spawn_app_with(TestOptions { unread_mail_delay: Some("3s".into()), ..Default::default() }).await;
    let ada = app.login("ada@example.com").await;
    let [bob, cy, dan, eve] = [
        app.login("bob@example.com").await,
        app.login("cy@example.com").await,
        app.login("dan@example.com").await,
        app.login("eve@example.com").await,
    ];
    let to_bob = app.start_chat(&ada, &bob.user_id).await;
    let to_cy = app.start_chat(&ada, &cy.user_id).await;
    let to_dan = app.start_chat(&ada, &dan.user_id).await;
    let to_eve = app.start_chat(&ada, &eve.user_id).await;
    assert_eq!(mute(&app, &cy, &to_cy, true).await, StatusCode::NO_CONTENT);
    let off = app
        .http
        .patch(app.api("/me/settings"))
        .bearer_auth(&dan.token)
        .json(&json!({ "unreadMailAfterMinutes": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    for chat in [&to_bob, &to_cy, &to_dan, &to_eve] {
        app.send_text(&ada, chat, "ping").await;
    }
    // Bob reads his (opening the chat reads it) before the delay.
    let read = app.get_authed(&format!("/message/{to_bob}"), &bob.token).await;
    assert_eq!(read.status(), StatusCode::OK);
    app.clock.advance(Duration::from_secs(4));
    // Eve is the control: her mail arrives, in the same look as any of the others.
    wait_for_unread_mail(&app, "eve@example.com", 1).await;
    for who in ["bob@example.com", "cy@example.com", "dan@example.com"] {
        assert!(unread_mails(&app, who).await.is_empty(), "{who} gets no mail");
    }
}

#[tokio::test]
async fn on_several_nodes_a_push_goes_through_the_broker_to_the_mail_node() {
    use natter_testkit::db::TestDatabase;
    use natter_testkit::rabbitmq::TestRabbit;
    use natter_testkit::{ManualClock, TestData};
    use std::sync::Arc;

    let service = PushServiceProcess::start().await;
    let rabbit = TestRabbit::start().await;
    let data = Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await));
    let clock = Arc::new(ManualClock::new());
    let node = |role: &str| {
        spawn_app_with(TestOptions {
            amqp_url: Some(rabbit.url()),
            role: Some(role.into()),
            data_dir: Some(data.clone()),
            clock: Some(clock.clone()),
            push_allow: Some(service.origin.clone()),
            ..Default::default()
        })
    };
    // Two nodes consuming the broker's jobs: the first also serves the API. The second
    // starts once both are logged in (each node's console mailer keeps its own codes).
    let api = node("all").await;
    let ada = api.login("ada@example.com").await;
    let bob = api.login("bob@example.com").await;
    let mail = node("mail").await;
    let chat = api.start_chat(&ada, &bob.user_id).await;
    let phone = PushDevice::new(service.endpoint("bob-phone"));
    assert_eq!(subscribe(&api, &bob, &phone).await.status(), StatusCode::CREATED);
    api.send_text(&ada, &chat, "through the broker").await;
    clock.advance(PUSH_GRACE + Duration::from_millis(100));
    let push = eventually(Duration::from_secs(20), "the push through RabbitMQ", || async {
        service.received().into_iter().next()
    })
    .await;
    assert_eq!(phone.decrypt(&push)["body"], "through the broker");
    let relayed: Vec<(String, bool, bool)> = api
        .db_rows(
            "select kind, relayed_at is not null, done_at is not null from jobs where kind <> 'send_mail'",
        )
        .await;
    assert!(relayed.iter().all(|(_, relayed, _)| *relayed), "both jobs went through the broker: {relayed:?}");
    drop(mail);
}
