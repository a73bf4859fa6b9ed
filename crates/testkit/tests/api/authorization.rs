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
