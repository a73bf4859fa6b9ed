//! Blocking a user and last seen (issue 12.7): every rule over the API, on the store
//! of this run; live over the socket; nobody reads or changes another's blocks or
//! settings.

use std::time::Duration;

use natter_testkit::{LoggedIn, TestApp, TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn block(app: &TestApp, who: &LoggedIn, target: &str) -> StatusCode {
    app.http
        .post(app.api(&format!("/user/{target}/block")))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn unblock(app: &TestApp, who: &LoggedIn, target: &str) -> StatusCode {
    app.http
        .delete(app.api(&format!("/user/{target}/block")))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn send(app: &TestApp, who: &LoggedIn, chat: &str, text: &str) -> (StatusCode, Value) {
    let res = app.post_authed("/message", &who.token, json!({ "chatId": chat, "text": text })).await;
    (res.status(), res.json().await.unwrap())
}

async fn blocked_ids(app: &TestApp, who: &LoggedIn) -> Vec<String> {
    let res = app.get_authed("/me/blocks", &who.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["blocks"].as_array().unwrap().iter().map(|b| b["user"]["_id"].as_str().unwrap().to_owned()).collect()
}

async fn set_show_last_seen(app: &TestApp, who: &LoggedIn, show: bool) -> Value {
    let res = app
        .http
        .patch(app.api("/me/settings"))
        .bearer_auth(&who.token)
        .json(&json!({ "showLastSeen": show }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn last_seen_of(app: &TestApp, viewer: &LoggedIn, user: &LoggedIn) -> Value {
    let profile: Value =
        app.get_authed(&format!("/user/{}", user.user_id), &viewer.token).await.json().await.unwrap();
    profile["lastSeen"].clone()
}

/// `user` opens a socket and closes it: they were last seen then.
async fn come_and_go(app: &TestApp, user: &LoggedIn) {
    let s = TestSocket::connect(app, &user.token).await;
    s.disconnect().await;
}

#[tokio::test]
async fn a_block_refuses_the_one_to_one_sends_both_ways_until_it_is_taken_back() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    app.send_text(&b, &chat, "before").await;
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);

    let (status, body) = send(&app, &b, &chat, "let me in").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("blocked")), "{body}");
    let (status, body) = send(&app, &a, &chat, "hello?").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("you_blocked_user")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("Unblock"), "{body}");
    // The socket's send is the same use-case.
    let b1 = TestSocket::connect(&app, &b.token).await;
    let ack = b1.ack("sendMessage", json!({ "chatId": chat, "text": "socket", "clientId": "blk-1" })).await;
    assert_eq!(ack["error"]["code"], "blocked", "{ack}");
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 1, "nothing refused was stored");

    assert_eq!(unblock(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(send(&app, &b, &chat, "thanks").await.0, StatusCode::CREATED);
    assert_eq!(send(&app, &a, &chat, "sure").await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn the_blocked_user_cannot_start_a_chat_but_the_blocker_can_and_groups_are_untouched() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let b = app.login("bob@example.com").await;
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    let res = app.post_authed("/chat/new", &b.token, json!({ "otherUserId": a.user_id })).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "blocked", "{body}");
    let chats: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    assert_eq!(chats["chats"], json!([]), "no chat was made");
    // The blocker may open it (the web client shows "Unblock" there).
    let res = app.post_authed("/chat/new", &a.token, json!({ "otherUserId": b.user_id })).await;
    assert_eq!(res.status(), StatusCode::OK);
    // B blocking back does not undo A's block.
    assert_eq!(block(&app, &b, &a.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(unblock(&app, &b, &a.user_id).await, StatusCode::NO_CONTENT);
    let res = app.post_authed("/chat/new", &b.token, json!({ "otherUserId": a.user_id })).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn blocking_twice_changes_nothing_and_yourself_or_unknown_users_are_refused() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    let c = app.login("cy@example.com").await;
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(block(&app, &a, &c.user_id).await, StatusCode::NO_CONTENT);
    // The test clock stands still, so both blocks have one time: compared as sets.
    let mut ids = blocked_ids(&app, &a).await;
    ids.sort();
    let mut expected = [c.user_id.clone(), b.user_id.clone()];
    expected.sort();
    assert_eq!(ids, expected, "once each");

    let res = app
        .http
        .post(app.api(&format!("/user/{}/block", a.user_id)))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "cannot_block_yourself");
    let unknown = "0193a0b0-0000-7000-8000-000000000000";
    for path in [format!("/user/{unknown}/block"), "/user/not-an-id/block".to_owned()] {
        for res in [
            app.http.post(app.api(&path)).bearer_auth(&a.token).send().await.unwrap(),
            app.http.delete(app.api(&path)).bearer_auth(&a.token).send().await.unwrap(),
        ] {
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(res.json::<Value>().await.unwrap()["code"], "user_not_found");
        }
    }
    assert_eq!(unblock(&app, &b, &c.user_id).await, StatusCode::NO_CONTENT, "not blocked: nothing to undo");
    assert_eq!(unblock(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(unblock(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(blocked_ids(&app, &a).await, vec![c.user_id.clone()]);
}

#[tokio::test]
async fn blocks_and_settings_are_only_ever_your_own() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let c = app.login("cy@example.com").await;
    assert_eq!(block(&app, &a, &c.user_id).await, StatusCode::NO_CONTENT);
    set_show_last_seen(&app, &a, false).await;
    // Nobody else sees a's blocks or settings, nor changes them.
    assert_eq!(blocked_ids(&app, &b).await, Vec::<String>::new());
    assert_eq!(blocked_ids(&app, &c).await, Vec::<String>::new(), "not even the one blocked");
    let settings: Value = app.get_authed("/me/settings", &b.token).await.json().await.unwrap();
    assert_eq!(settings["showLastSeen"], true);
    assert_eq!(unblock(&app, &b, &c.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(set_show_last_seen(&app, &b, true).await["showLastSeen"], true);
    assert_eq!(blocked_ids(&app, &a).await, vec![c.user_id.clone()], "b's unblock was b's own");
    let settings: Value = app.get_authed("/me/settings", &a.token).await.json().await.unwrap();
    assert_eq!(settings["showLastSeen"], false);
    // b's chat with a is not blocked by a's block of c.
    assert_eq!(send(&app, &b, &chat, "fine").await.0, StatusCode::CREATED);
    // Without a session, nothing.
    let c_block = app.api(&format!("/user/{}/block", c.user_id));
    for res in [
        app.http.post(&c_block).send().await.unwrap(),
        app.http.delete(&c_block).send().await.unwrap(),
        app.http.get(app.api("/me/blocks")).send().await.unwrap(),
        app.http.get(app.api("/me/settings")).send().await.unwrap(),
        app.http.patch(app.api("/me/settings")).json(&json!({ "showLastSeen": true })).send().await.unwrap(),
    ] {
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn settings_answer_their_defaults_and_refuse_what_is_not_a_setting() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let res = app.get_authed("/me/settings", &a.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let defaults =
        json!({ "showLastSeen": true, "sound": true, "desktop": true, "unreadMailAfterMinutes": 15 });
    assert_eq!(res.json::<Value>().await.unwrap(), defaults);
    for bad in [json!({ "showLastSeen": "no" }), json!({ "sound": 1 }), json!({ "volume": 3 }), json!([])] {
        let res =
            app.http.patch(app.api("/me/settings")).bearer_auth(&a.token).json(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_body");
    }
    let hidden =
        json!({ "showLastSeen": false, "sound": true, "desktop": true, "unreadMailAfterMinutes": 15 });
    assert_eq!(set_show_last_seen(&app, &a, false).await, hidden);
    assert_eq!(set_show_last_seen(&app, &a, false).await, hidden, "twice: the same");
    let patch =
        |body: Value| app.http.patch(app.api("/me/settings")).bearer_auth(&a.token).json(&body).send();
    let quiet =
        patch(json!({ "sound": false, "desktop": false })).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(
        quiet,
        json!({ "showLastSeen": false, "sound": false, "desktop": false, "unreadMailAfterMinutes": 15 }),
        "each setting on its own"
    );
    let kept = patch(json!({})).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(kept, quiet, "an empty patch keeps them");
    let read: Value = app.get_authed("/me/settings", &a.token).await.json().await.unwrap();
    assert_eq!(read, quiet, "and they are stored");
}

#[tokio::test]
async fn last_seen_shows_once_a_contact_is_offline_and_hiding_it_works_both_ways() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    let stranger = app.login("cy@example.com").await;
    assert_eq!(last_seen_of(&app, &a, &b).await, Value::Null, "never offline yet");
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(last_seen_of(&app, &a, &b).await, Value::Null, "online");
    b1.disconnect().await;
    let p = loop {
        let p = a1.expect("presence").await;
        if p["online"] == false {
            break p;
        }
    };
    assert_eq!(p["userId"], b.user_id.as_str());
    let seen = p["lastSeen"].as_str().expect("the offline presence carries the last seen").to_owned();
    assert_eq!(last_seen_of(&app, &a, &b).await, seen.as_str());
    let chats: Value = app.get_authed("/chat/all", &a.token).await.json().await.unwrap();
    assert_eq!(chats["chats"][0]["user"]["lastSeen"], seen.as_str());
    assert_eq!(last_seen_of(&app, &stranger, &b).await, Value::Null, "only for contacts");

    // b hides it: nobody sees b's.
    set_show_last_seen(&app, &b, false).await;
    assert_eq!(last_seen_of(&app, &a, &b).await, Value::Null);
    set_show_last_seen(&app, &b, true).await;
    assert_eq!(last_seen_of(&app, &a, &b).await, seen.as_str());
    // a hides theirs: a sees nobody's either.
    a1.disconnect().await;
    assert_eq!(set_show_last_seen(&app, &a, false).await["showLastSeen"], false);
    assert_eq!(last_seen_of(&app, &a, &b).await, Value::Null);
    let chats: Value = app.get_authed("/chat/all", &a.token).await.json().await.unwrap();
    assert_eq!(chats["chats"][0]["user"]["lastSeen"], Value::Null);
    assert_eq!(last_seen_of(&app, &b, &a).await, Value::Null);
    set_show_last_seen(&app, &a, true).await;
    assert!(last_seen_of(&app, &b, &a).await.is_string(), "a went offline too");
}

#[tokio::test]
async fn an_offline_presence_carries_last_seen_only_where_both_show_it() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    set_show_last_seen(&app, &a, false).await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    come_and_go(&app, &b).await;
    let p = loop {
        let p = a1.expect("presence").await;
        if p["online"] == false {
            break p;
        }
    };
    assert_eq!(
        (p["userId"].as_str(), &p["lastSeen"]),
        (Some(b.user_id.as_str()), &Value::Null),
        "a hides: a sees none"
    );
    set_show_last_seen(&app, &a, true).await;
    come_and_go(&app, &b).await;
    let p = loop {
        let p = a1.expect("presence").await;
        if p["online"] == false {
            break p;
        }
    };
    assert!(p["lastSeen"].is_string(), "{p}");
}

#[tokio::test]
async fn the_blocker_hears_nothing_of_the_blocked_users_presence_or_typing_nor_they_of_the_blocker() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let c = app.login("cy@example.com").await;
    app.start_chat(&a, &c.user_id).await;
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    assert_eq!(a1.expect("getOnlineUser").await, json!([]));
    assert_eq!(a1.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(b1.expect("getOnlineUser").await, json!([]), "a is online, but not for b");
    assert_eq!(b1.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    b1.emit("typing", json!({ "chatId": chat })).await;
    a1.emit("typing", json!({ "chatId": chat })).await;
    // A contact's coming online is the barrier: anything about b would come before it.
    let _c1 = TestSocket::connect(&app, &c.token).await;
    let (before, p) = a1.events_until("presence").await;
    assert_eq!(p["userId"], c.user_id.as_str(), "the first presence a hears is c's, not b's");
    assert!(!before.iter().any(|e| e == "userTyping"), "{before:?}");
    // Nor b of a's typing: a's unblock, which tells b that a is online, is b's barrier.
    assert_eq!(unblock(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    let (before, p) = b1.events_until("presence").await;
    assert!(!before.iter().any(|e| e == "userTyping"), "{before:?}");
    assert_eq!(
        (p["userId"].as_str(), p["online"].as_bool()),
        (Some(a.user_id.as_str()), Some(true)),
        "unblocked: a is online"
    );
}

#[tokio::test]
async fn a_block_tells_the_blockers_sockets_live_and_hides_the_last_seen() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    come_and_go(&app, &b).await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let b1 = TestSocket::connect(&app, &b.token).await;
    // b online: wait for a to know.
    loop {
        if a1.expect("getOnlineUser").await == json!([b.user_id]) {
            break;
        }
    }
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(a1.expect("blocksChanged").await, json!({ "userId": b.user_id, "blocked": true }));
    assert_eq!(a1.expect("getOnlineUser").await, json!([]));
    assert_eq!(
        a1.expect("presence").await,
        json!({ "userId": b.user_id, "online": false, "lastSeen": null })
    );
    // Twice: nothing happens, nothing is told.
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert!(a1.collect("blocksChanged", Duration::from_millis(300)).await.is_empty());
    assert_eq!(unblock(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    assert_eq!(a1.expect("blocksChanged").await, json!({ "userId": b.user_id, "blocked": false }));
    assert_eq!(a1.expect("presence").await, json!({ "userId": b.user_id, "online": true, "lastSeen": null }));
    // Blocked and offline: no last seen, wherever a looks.
    assert_eq!(block(&app, &a, &b.user_id).await, StatusCode::NO_CONTENT);
    b1.disconnect().await;
    assert_eq!(last_seen_of(&app, &a, &b).await, Value::Null);
    let chats: Value = app.get_authed("/chat/all", &a.token).await.json().await.unwrap();
    assert_eq!(chats["chats"][0]["user"]["lastSeen"], Value::Null);
    assert_eq!(last_seen_of(&app, &b, &a).await, Value::Null, "nor b of a");
}
