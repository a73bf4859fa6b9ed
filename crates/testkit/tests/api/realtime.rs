//! Live events over Socket.IO, with a client nobody here wrote (rust_socketio).

use std::time::Duration;

use natter_testkit::{TestOptions, TestSocket, spawn_app, spawn_app_with};
use serde_json::{Value, json};

#[tokio::test]
async fn new_message_reaches_every_socket_of_every_member_exactly_once() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    let mut b2 = TestSocket::connect(&app, &b.token).await;
    // Viewing the chat must not add a second copy.
    assert_eq!(b1.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    assert_eq!(a1.ack("joinChat", json!(chat)).await, json!({ "ok": true }));

    let by_rest = app.send_text(&a, &chat, "by rest").await;
    let ack = a1.ack("sendMessage", json!({ "chatId": chat, "text": "by socket", "clientId": "s-1" })).await;
    assert_eq!(ack["message"]["text"], "by socket");
    assert_eq!(ack["message"]["seq"], 2);

    for socket in [&mut a1, &mut b1, &mut b2] {
        let got = socket.collect("newMessage", Duration::from_millis(500)).await;
        let texts: Vec<&str> = got.iter().map(|m| m["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["by rest", "by socket"], "once each, in order");
    }
    assert_eq!(by_rest["seq"], 1);
}

#[tokio::test]
async fn send_message_acks_only_after_the_message_is_stored() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let a1 = TestSocket::connect(&app, &a.token).await;
    let ack = a1.ack("sendMessage", json!({ "chatId": chat, "text": "durable", "clientId": "d-1" })).await;
    let id = ack["message"]["_id"].as_str().unwrap();
    // The moment the ack is in hand, the message is readable by everyone.
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["_id"], id);
    let bad = a1.ack("sendMessage", json!({ "chatId": chat, "text": "" , "clientId": "d-2"})).await;
    assert_eq!(bad["error"]["code"], "empty_message");
    let bad = a1.ack("sendMessage", json!("not an object")).await;
    assert_eq!(bad["error"]["code"], "invalid_body");
}

#[tokio::test]
async fn the_sender_gets_messages_seen_when_the_other_opens_the_chat() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let m1 = app.send_text(&a, &chat, "one").await;
    let m2 = app.send_text(&a, &chat, "two").await;
    app.get_authed(&format!("/message/{chat}"), &b.token).await;
    let seen = a1.expect("messagesSeen").await;
    assert_eq!(seen["chatId"], chat.as_str());
    assert_eq!(seen["seenBy"], b.user_id.as_str());
    assert_eq!(seen["messageIds"], json!([m1["_id"], m2["_id"]]));
    assert_eq!(seen["upToSeq"], 2);
    assert!(seen["seenAt"].is_string());
    // markRead over the socket does the same.
    let m3 = app.send_text(&a, &chat, "three").await;
    let b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(b1.ack("markRead", json!({ "chatId": chat, "upToSeq": 3 })).await, json!({ "ok": true }));
    let seen = a1.expect("messagesSeen").await;
    assert_eq!(seen["messageIds"], json!([m3["_id"]]));
}

#[tokio::test]
async fn typing_reaches_members_viewing_the_chat_and_stops_by_itself() {
    let app =
        spawn_app_with(TestOptions { typing_ttl: Some(Duration::from_millis(600)), ..Default::default() })
            .await;
    let (a, b, chat) = app.pair().await;
    let a1 = TestSocket::connect(&app, &a.token).await;
    let mut a2 = TestSocket::connect(&app, &a.token).await;
    let mut b_viewing = TestSocket::connect(&app, &b.token).await;
    let mut b_elsewhere = TestSocket::connect(&app, &b.token).await;
    for s in [&a1, &a2, &b_viewing] {
        assert_eq!(s.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    }
    a1.emit("typing", json!({ "chatId": chat, "userId": b.user_id })).await;
    let t = b_viewing.expect("userTyping").await;
    assert_eq!(t, json!({ "chatId": chat, "userId": a.user_id }), "the typist is the session's user");
    let started = tokio::time::Instant::now();
    let stopped = b_viewing.expect("userStoppedTyping").await;
    assert_eq!(stopped["userId"], a.user_id.as_str());
    assert!(started.elapsed() >= Duration::from_millis(300), "it lasted until the TTL ran out");
    // A message sent after the typing: fan-out keeps order, so any typing event for
    // these sockets would have come before it.
    app.send_text(&b, &chat, "after the typing").await;
    for s in [&mut b_elsewhere, &mut a2] {
        let (before, _) = s.events_until("newMessage").await;
        assert!(
            !before.iter().any(|e| e.contains("Typing")),
            "{before:?}: not viewing, or the typist's own tab"
        );
    }
    // An explicit stop arrives at once.
    a1.emit("typing", json!({ "chatId": chat })).await;
    b_viewing.expect("userTyping").await;
    a1.emit("stopTyping", json!({ "chatId": chat })).await;
    b_viewing.expect("userStoppedTyping").await;
}

#[tokio::test]
async fn online_lists_hold_only_contacts_and_two_tabs_stay_online_until_the_last_closes() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    let stranger = app.login("cy@example.com").await;
    let _s = TestSocket::connect(&app, &stranger.token).await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    assert_eq!(a1.expect("getOnlineUser").await, json!([]), "the stranger is not a contact");
    let b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(a1.expect("getOnlineUser").await, json!([b.user_id]));
    let b2 = TestSocket::connect(&app, &b.token).await;
    b1.disconnect().await;
    // A contact coming online after: until a's list shows c, every list a gets must
    // still show b (b's first tab closing must not have said b went offline). How many
    // lists come depends on how c's connect and the new chat interleave.
    let c = app.login("cy2@example.com").await;
    let _c1 = TestSocket::connect(&app, &c.token).await;
    app.start_chat(&a, &c.user_id).await;
    loop {
        let online = a1.expect("getOnlineUser").await;
        let online = online.as_array().unwrap();
        assert!(online.contains(&json!(b.user_id)), "b is still online: {online:?}");
        if online.contains(&json!(c.user_id)) {
            break;
        }
    }
    b2.disconnect().await;
    let after = loop {
        let online = a1.expect("getOnlineUser").await;
        if !online.as_array().unwrap().contains(&json!(b.user_id)) {
            break online;
        }
    };
    assert_eq!(after, json!([c.user_id]), "b's last tab closed");
    let p = a1.expect("presence").await;
    assert_eq!((p["userId"].as_str(), p["online"].as_bool()), (Some(b.user_id.as_str()), Some(false)));
}

#[tokio::test]
async fn starting_a_chat_refreshes_both_online_lists() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let b = app.login("bob@example.com").await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(a1.expect("getOnlineUser").await, json!([]));
    assert_eq!(b1.expect("getOnlineUser").await, json!([]));
    app.start_chat(&a, &b.user_id).await;
    assert_eq!(a1.expect("getOnlineUser").await, json!([b.user_id]));
    assert_eq!(b1.expect("getOnlineUser").await, json!([a.user_id]));
}

#[tokio::test]
async fn an_oversized_socket_packet_closes_that_socket_only() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let big = TestSocket::connect(&app, &a.token).await;
    let mut other = TestSocket::connect(&app, &b.token).await;
    big.emit("sendMessage", json!({ "chatId": chat, "text": "x".repeat(100 * 1024), "clientId": "big" }))
        .await;
    // The server drops that connection: its user goes offline for their contacts. (A's
    // coming online may reach B first: B connected while it was being announced.)
    let mut p = other.expect("presence").await;
    if p["online"] == true {
        p = other.expect("presence").await;
    }
    assert_eq!((p["userId"].as_str(), p["online"].as_bool()), (Some(a.user_id.as_str()), Some(false)));
    app.send_text(&a, &chat, "still here").await;
    assert_eq!(other.expect("newMessage").await["text"], "still here");
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 1, "the oversized send stored nothing");
}

#[tokio::test]
async fn a_flooding_socket_is_ignored_for_the_rest_of_the_second() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    app.send_text(&a, &chat, "hi").await;
    let b1 = TestSocket::connect(&app, &b.token).await;
    assert_eq!(b1.ack("markRead", json!({ "chatId": chat, "upToSeq": 1 })).await, json!({ "ok": true }));
    // A burst without waiting for answers, well past the per-second budget...
    for _ in 0..100 {
        b1.emit("joinChat", json!(chat)).await;
    }
    // ...leaves this connection refused until the window turns. (Handlers run as
    // separate tasks, so allow a few answers for the burst to be counted.)
    let mut refused = false;
    for _ in 0..5 {
        let answer = b1.ack("markRead", json!({ "chatId": chat, "upToSeq": 1 })).await;
        refused |= answer["error"]["code"] == "rate_limited";
    }
    assert!(refused, "a flooding socket kept being served");
    // The window is timed by the server's clock: turn it.
    app.clock.advance(Duration::from_millis(1000));
    assert_eq!(b1.ack("markRead", json!({ "chatId": chat, "upToSeq": 1 })).await, json!({ "ok": true }));
}

#[tokio::test]
async fn a_socket_send_answers_validation_errors_with_their_fields_like_rest_does() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let a1 = TestSocket::connect(&app, &a.token).await;
    let body = json!({ "chatId": chat, "text": "hi", "clientId": "has space" });
    let ack = a1.ack("sendMessage", body.clone()).await;
    let rest: Value = app.post_authed("/message", &a.token, body).await.json().await.unwrap();
    assert_eq!(ack["error"]["code"], "invalid_client_id");
    assert!(ack["error"]["fields"]["clientId"].is_string(), "{ack}");
    assert_eq!(ack["error"], rest, "the same body on both transports");
    let long =
        a1.ack("sendMessage", json!({ "chatId": chat, "text": "x".repeat(4001), "clientId": "ok-1" })).await;
    assert!(long["error"]["fields"]["text"].is_string(), "{long}");
}

/// A client that vanished without closing (lost network, a closed laptop) answers no
/// ping: the server drops it after PING_INTERVAL + PING_TIMEOUT, and its contacts see
/// it go offline. The silent client is a bare websocket that completes the Socket.IO
/// handshake and then reads nothing and writes nothing, as a dead peer behind a
/// live TCP connection would.
#[tokio::test]
async fn a_client_that_stops_answering_pings_goes_offline_within_thirty_seconds() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    let mut watcher = TestSocket::connect(&app, &a.token).await;

    let url = format!("{}/socket.io/?EIO=4&transport=websocket", app.url.replacen("http", "ws", 1));
    let (mut silent, _) = tokio_tungstenite::connect_async(url).await.expect("websocket upgrade");
    // Until it goes silent the client answers every ping, and notes when it last did.
    let mut last_pong = None;
    assert!(answering_pings(&mut silent, &mut last_pong).await.starts_with('0'), "Engine.IO OPEN");
    silent.send(Message::text(format!("40{}", json!({ "token": b.token })))).await.unwrap();
    while !answering_pings(&mut silent, &mut last_pong).await.starts_with("40") {}
    let mut p = watcher.expect("presence").await;
    assert_eq!((p["userId"].as_str(), p["online"].as_bool()), (Some(b.user_id.as_str()), Some(true)));
    // The server pings at the start; answering it makes the network's loss fall just
    // after a pong, the worst moment: the next ping is a whole interval away.
    while last_pong.is_none() {
        let _ =
            tokio::time::timeout(Duration::from_secs(2), answering_pings(&mut silent, &mut last_pong)).await;
    }
    let went_silent: tokio::time::Instant = last_pong.unwrap();
    // From here `silent` is held but never polled: the server's pings go unanswered.
    let limit = natter_realtime::PING_INTERVAL + natter_realtime::PING_TIMEOUT + Duration::from_secs(5);
    assert!(limit <= Duration::from_secs(30), "the promise is offline within 30 s");
    p = tokio::time::timeout(limit, async {
        loop {
            let p = watcher.collect("presence", Duration::from_secs(1)).await;
            if let Some(p) = p.into_iter().find(|p| p["userId"] == b.user_id.as_str()) {
                break p;
            }
        }
    })
    .await
    .expect("the silent client is seen offline before the limit");
    assert_eq!(p["online"], false, "{p}");
    let took = went_silent.elapsed();
    assert!(took <= Duration::from_secs(30), "offline {took:?} after the network went");
    assert!(
        took >= natter_realtime::PING_INTERVAL,
        "the pong kept it online until a later ping went unanswered: {took:?}"
    );
    drop(silent);
}

/// The next text frame that is not a ping; pings are answered on the way.
async fn answering_pings(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    last_pong: &mut Option<tokio::time::Instant>,
) -> String {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match ws.next().await.expect("open").expect("a frame") {
            Message::Text(t) if t.as_str() == "2" => {
                ws.send(Message::text("3")).await.unwrap();
                *last_pong = Some(tokio::time::Instant::now());
            }
            Message::Text(t) => return t.as_str().to_owned(),
            _ => {}
        }
    }
}
