//! Who may do what: membership is checked for every chat operation, and identity is
//! the session's, whatever a client claims.

use std::time::Duration;

use natter_testkit::socket::SocketOptions;
use natter_testkit::{TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_non_member_can_do_nothing_with_a_chat() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let eve = app.login("eve@example.com").await;
    let a1 = TestSocket::connect(&app, &a.token).await;
    assert_eq!(a1.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    let img = app.send_png(&a.token, &chat).await;
    // Without its signature: what a session alone may see.
    let media_url = natter_testkit::unsigned(&app.local(img["image"]["url"].as_str().unwrap()));

    let mut eve_socket = TestSocket::connect(&app, &eve.token).await;
    eve_socket.emit("joinChat", json!(chat)).await;

    let checks = [
        app.get_authed(&format!("/message/{chat}"), &eve.token).await,
        app.post_authed("/message", &eve.token, json!({ "chatId": chat, "text": "let me in" })).await,
        app.post_authed(&format!("/chat/{chat}/read"), &eve.token, json!({ "upToSeq": 1 })).await,
        app.get_authed(&format!("/chat/{chat}/events?after=0"), &eve.token).await,
    ];
    for res in checks {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_a_member");
    }
    let media = app.http.get(&media_url).bearer_auth(&eve.token).send().await.unwrap();
    assert_eq!(media.status(), StatusCode::NOT_FOUND);
    let ack = eve_socket.ack("sendMessage", json!({ "chatId": chat, "text": "x", "clientId": "e1" })).await;
    assert_eq!(ack["error"]["code"], "not_a_member");
    let ack = eve_socket.ack("markRead", json!({ "chatId": chat, "upToSeq": 1 })).await;
    assert_eq!(ack["error"]["code"], "not_a_member");
    let mut b_socket = TestSocket::connect(&app, &b.token).await;
    assert_eq!(b_socket.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    eve_socket.emit("typing", json!({ "chatId": chat })).await;
    // After a round trip of eve's, a's typing is what b sees first. (Each event's
    // handler is a task, so this orders them in practice, not by contract: a late
    // leak of eve's would go unseen here, never fail the test wrongly.)
    eve_socket.ack("markRead", json!({ "chatId": chat, "upToSeq": 1 })).await;
    a1.emit("typing", json!({ "chatId": chat })).await;
    assert_eq!(
        b_socket.expect("userTyping").await["userId"],
        a.user_id.as_str(),
        "eve's typing went nowhere"
    );

    app.send_text(&a, &chat, "secret").await;
    // A message for eve, sent after: fan-out keeps order, so the secret would come first.
    let eve_chat = app.start_chat(&a, &eve.user_id).await;
    app.send_text(&a, &eve_chat, "for eve").await;
    assert_eq!(
        eve_socket.expect("newMessage").await["text"],
        "for eve",
        "the first message eve gets is hers"
    );
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 2, "eve stored nothing");
    // Unknown chats are 404, not 403.
    let res = app.get_authed("/message/0193a1b2-0000-7000-8000-000000000000", &eve.token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forged_user_id_in_the_handshake_or_a_payload_changes_nothing() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let eve = app.login("eve@example.com").await;
    let opts = SocketOptions {
        auth: Some(json!({ "token": eve.token, "userId": a.user_id })),
        ..Default::default()
    };
    let mut eve_socket = TestSocket::try_connect(&app, opts).await.unwrap();
    eve_socket.emit("joinChat", json!({ "chatId": chat, "userId": a.user_id })).await;
    let ack = eve_socket
        .ack("sendMessage", json!({ "chatId": chat, "text": "as ada", "clientId": "f1", "userId": a.user_id, "sender": a.user_id }))
        .await;
    assert_eq!(ack["error"]["code"], "not_a_member");
    app.send_text(&b, &chat, "private").await;
    let eve_chat = app.start_chat(&b, &eve.user_id).await;
    app.send_text(&b, &eve_chat, "for eve").await;
    assert_eq!(
        eve_socket.expect("newMessage").await["text"],
        "for eve",
        "the first message eve gets is hers"
    );
    // A member's forged sender field is ignored too: the message is theirs.
    let mut b_socket = TestSocket::connect(&app, &b.token).await;
    let ack = b_socket.ack("sendMessage", json!({ "chatId": chat, "text": "me", "clientId": "f2", "sender": a.user_id, "userId": a.user_id })).await;
    assert_eq!(ack["message"]["sender"], b.user_id.as_str());
    b_socket.expect("newMessage").await;
}

#[tokio::test]
async fn a_handshake_without_a_valid_token_fails_with_unauthorized() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let revoked = {
        app.clock.advance(Duration::from_secs(61));
        let s = app.login("ada@example.com").await;
        app.http.post(app.api("/logout")).bearer_auth(&s.token).send().await.unwrap();
        s.token
    };
    let mut tampered = a.token.clone();
    tampered.push('x');
    for auth in [
        None,
        Some(json!({})),
        Some(json!({ "token": "" })),
        Some(json!({ "token": "garbage" })),
        Some(json!({ "token": tampered })),
        Some(json!({ "token": revoked })),
        Some(json!({ "token": 5 })),
    ] {
        let err = TestSocket::try_connect(&app, SocketOptions { auth: auth.clone(), ..Default::default() })
            .await
            .err();
        assert!(err.as_deref().is_some_and(|e| e.contains("unauthorized")), "{auth:?}: {err:?}");
    }
}

#[tokio::test]
async fn a_cookie_handshake_from_a_foreign_origin_is_refused_on_both_transports() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let cookie = format!("natter_session={}", a.token);
    for polling_only in [false, true] {
        let foreign = SocketOptions {
            headers: vec![
                ("Cookie".into(), cookie.clone()),
                ("Origin".into(), "https://evil.example".into()),
            ],
            polling_only,
            ..Default::default()
        };
        assert!(TestSocket::try_connect(&app, foreign).await.is_err(), "polling_only={polling_only}");
        let ours = SocketOptions {
            headers: vec![("Cookie".into(), cookie.clone()), ("Origin".into(), "http://natter.test".into())],
            polling_only,
            ..Default::default()
        };
        TestSocket::try_connect(&app, ours)
            .await
            .expect("our own origin may use the cookie")
            .disconnect()
            .await;
    }
}

#[tokio::test]
async fn logging_out_closes_that_sessions_sockets() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let mut s = TestSocket::connect(&app, &a.token).await;
    app.http.post(app.api("/logout")).bearer_auth(&a.token).send().await.unwrap();
    s.expect("close").await;
}

/// Every operation on a group, its messages and their media, by someone who never was in
/// it and by someone removed from it: 403 or 404, nothing written, no event heard.
#[tokio::test]
async fn strangers_and_removed_members_can_do_nothing_with_a_group_or_its_messages() {
    let app = spawn_app().await;
    let ada = app.login("ada@example.com").await;
    let bob = app.login("bob@example.com").await;
    let dee = app.login("dee@example.com").await;
    let eve = app.login("eve@example.com").await;
    let res = app
        .post_authed(
            "/chat/group",
            &ada.token,
            json!({ "name": "Launch", "userIds": [bob.user_id, dee.user_id] }),
        )
        .await;
    let chat = res.json::<Value>().await.unwrap()["chatId"].as_str().unwrap().to_owned();
    let text = app.send_text(&bob, &chat, "for members").await;
    let image = app.send_png(&bob.token, &chat).await;
    let media_url = natter_testkit::unsigned(&app.local(image["image"]["url"].as_str().unwrap()));
    let removed = app
        .http
        .delete(app.api(&format!("/chat/{chat}/members/{}", dee.user_id)))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let before: Value =
        app.get_authed(&format!("/chat/{chat}/events"), &ada.token).await.json().await.unwrap();

    let id = text["_id"].as_str().unwrap();
    for outsider in [&eve, &dee] {
        let mut socket = TestSocket::connect(&app, &outsider.token).await;
        let req = |method: reqwest::Method, path: String, body: Option<Value>| {
            let mut r = app.http.request(method, app.api(&path)).bearer_auth(&outsider.token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            r
        };
        use reqwest::Method as M;
        let attempts = [
            req(M::GET, format!("/message/{chat}"), None),
            req(M::GET, format!("/message/{chat}?after=0"), None),
            req(M::GET, format!("/message/{chat}?around=2"), None),
            req(M::GET, format!("/search?q=members&chatId={chat}"), None),
            req(M::POST, "/message".into(), Some(json!({ "chatId": chat, "text": "let me in" }))),
            req(M::POST, format!("/chat/{chat}/read"), Some(json!({ "upToSeq": 1 }))),
            req(M::GET, format!("/chat/{chat}/events?after=0"), None),
            req(M::PATCH, format!("/chat/{chat}"), Some(json!({ "name": "Mine" }))),
            req(M::POST, format!("/chat/{chat}/members"), Some(json!({ "userIds": [outsider.user_id] }))),
            req(M::DELETE, format!("/chat/{chat}/members/{}", bob.user_id), None),
            req(M::PATCH, format!("/chat/{chat}/members/{}", bob.user_id), Some(json!({ "role": "admin" }))),
            req(M::PATCH, format!("/message/{id}"), Some(json!({ "text": "mine now" }))),
            req(M::DELETE, format!("/message/{id}"), None),
            req(M::GET, format!("/message/{id}/edits"), None),
            req(M::PUT, format!("/message/{id}/reactions/👍"), None),
            req(M::DELETE, format!("/message/{id}/reactions/👍"), None),
            app.http.get(&media_url).bearer_auth(&outsider.token),
        ];
        for attempt in attempts {
            let res = attempt.send().await.unwrap();
            let (status, url) = (res.status(), res.url().to_string());
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{url}: {status} for {}",
                outsider.user_id
            );
        }
        // Search across every chat finds nothing of the group for them.
        let found: Value = app.get_authed("/search?q=members", &outsider.token).await.json().await.unwrap();
        assert_eq!(found["messages"], json!([]), "{found}");
        assert_eq!(socket.ack("joinChat", json!(chat)).await, json!({ "ok": false }));
        let ack = socket.ack("sendMessage", json!({ "chatId": chat, "text": "x", "clientId": "o-1" })).await;
        assert_eq!(ack["error"]["code"], "not_a_member");
        // The group goes on: nothing of it reaches the outsider, whose own 1:1 chat is
        // the barrier (fan-out keeps order: anything of the group would come first).
        app.send_text(&bob, &chat, "still for members").await;
        app.http
            .put(app.api(&format!("/message/{id}/reactions/🎉")))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        let own = app.start_chat(&ada, &outsider.user_id).await;
        app.send_text(&ada, &own, "barrier").await;
        let (events, barrier) = socket.events_until("newMessage").await;
        assert_eq!(barrier["text"], "barrier", "the first message an outsider gets is their own");
        assert!(
            !events.iter().any(|e| [
                "messageUpdated",
                "messageDeleted",
                "messagesSeen",
                "membersChanged",
                "userTyping"
            ]
            .contains(&e.as_str())),
            "{events:?}"
        );
    }
    // A member finds what the outsiders could not.
    let found: Value = app.get_authed("/search?q=members", &ada.token).await.json().await.unwrap();
    assert!(found["messages"].as_array().unwrap().len() >= 2, "{found}");
    // Nothing the outsiders tried was written.
    let after: Value =
        app.get_authed(&format!("/chat/{chat}/events"), &ada.token).await.json().await.unwrap();
    let kinds = |v: &Value| {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let grew: Vec<String> = kinds(&after).into_iter().skip(kinds(&before).len()).collect();
    // Per outsider, Bob's message; Ada's 🎉 the first time (the second changes nothing).
    assert_eq!(
        grew,
        ["message.created", "reaction.added", "message.created"],
        "only the members' own changes were written"
    );
}
