//! Chats and messages over REST.

use std::time::Duration;

use natter_testkit::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn chat_new_returns_the_existing_chat_for_the_same_pair() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    assert_eq!(app.start_chat(&a, &b.user_id).await, chat);
    assert_eq!(app.start_chat(&b, &a.user_id).await, chat, "from either side");
}

#[tokio::test]
async fn chat_new_refuses_a_missing_unknown_or_own_user() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    for body in [
        json!({}),
        json!({ "otherUserId": "" }),
        json!({ "otherUserId": "nope" }),
        json!({ "otherUserId": "0193a1b2-0000-7000-8000-000000000000" }),
        json!({ "otherUserId": a.user_id }),
    ] {
        let res = app.post_authed("/chat/new", &a.token, body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_user");
    }
    let res = app.post_authed("/chat/new", &a.token, json!({ "otherUserId": 5 })).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let list: Value = app.get_authed("/chat/all", &a.token).await.json().await.unwrap();
    assert_eq!(list["chats"], json!([]));
}

#[tokio::test]
async fn chat_all_shows_the_other_member_the_latest_message_and_unseen_newest_first() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let b = app.login("bob@example.com").await;
    let c = app.login("cy@example.com").await;
    let ab = app.start_chat(&a, &b.user_id).await;
    let ac = app.start_chat(&a, &c.user_id).await;
    app.send_text(&b, &ab, "hi ada").await;
    app.send_text(&b, &ab, "are you there?").await;
    app.clock.advance(Duration::from_millis(10));
    app.send_text(&c, &ac, "hello from cy").await;
    app.clock.advance(Duration::from_millis(10));
    app.send_text(&a, &ac, "hey cy").await;

    let list: Value = app.get_authed("/chat/all", &a.token).await.json().await.unwrap();
    let chats = list["chats"].as_array().unwrap();
    assert_eq!(chats.len(), 2);
    assert_eq!(chats[0]["chat"]["_id"], ac.as_str(), "newest activity first");
    assert_eq!(chats[0]["user"]["email"], "cy@example.com");
    assert_eq!(
        chats[0]["chat"]["latestMessage"],
        json!({ "text": "hey cy", "sender": a.user_id, "deleted": false })
    );
    assert_eq!(chats[0]["chat"]["unseenCount"], 0, "my reply means I read it");
    assert_eq!(chats[1]["user"]["email"], "bob@example.com");
    assert_eq!(chats[1]["chat"]["unseenCount"], 2);
    assert_eq!(chats[1]["chat"]["lastSeq"], 2);
    assert_eq!(chats[1]["chat"]["isGroup"], false);
    let users = chats[1]["chat"]["users"].as_array().unwrap();
    assert!(users.contains(&json!(a.user_id)) && users.contains(&json!(b.user_id)));
}

#[tokio::test]
async fn opening_a_chat_marks_the_other_members_messages_seen() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let sent = app.send_text(&a, &chat, "one").await;
    assert_eq!(sent["seen"], false);
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert_eq!(page["user"]["_id"], a.user_id.as_str(), "the other member");
    let list: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["chat"]["unseenCount"], 0);
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["seen"], true);
    assert!(page["messages"][0]["seenAt"].is_string());
}

#[tokio::test]
async fn messages_come_newest_fifty_by_default_and_page_with_before_and_after() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    for i in 1..=60 {
        app.send_text(if i % 2 == 0 { &a } else { &b }, &chat, &format!("m{i}")).await;
    }
    let get = |q: String| {
        let (app, token, url) = (&app, a.token.clone(), format!("/message/{chat}{q}"));
        async move { app.get_authed(&url, &token).await.json::<Value>().await.unwrap() }
    };
    let seqs = |v: &Value| {
        v["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    let newest = get(String::new()).await;
    assert_eq!(seqs(&newest), (11..=60).collect::<Vec<_>>(), "ascending, newest 50");
    assert_eq!(newest["hasMore"], true);
    let older = get("?before=11".into()).await;
    assert_eq!(seqs(&older), (1..=10).collect::<Vec<_>>());
    assert_eq!(older["hasMore"], false);
    let after = get("?after=55&limit=3".into()).await;
    assert_eq!(seqs(&after), vec![56, 57, 58]);
    assert_eq!(after["hasMore"], true);
    assert_eq!(seqs(&get("?limit=1000".into()).await).len(), 60, "a limit above the history returns it all");
    let res = app.get_authed(&format!("/message/{chat}?before=1&after=2"), &a.token).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn read_markers_only_move_forward() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    for t in ["1", "2", "3"] {
        app.send_text(&a, &chat, t).await;
    }
    let url = format!("/chat/{chat}/read");
    let read = |seq: i64| app.post_authed(&url, &b.token, json!({ "upToSeq": seq }));
    assert_eq!(read(2).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(1).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(99).await.status(), StatusCode::NO_CONTENT);
    let list: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["chat"]["lastReadSeq"], 3, "clamped to the chat's last seq");
    assert_eq!(list["chats"][0]["chat"]["unseenCount"], 0);
    let res = app.post_authed(&format!("/chat/{chat}/read"), &b.token, json!({ "upToSeq": "x" })).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_send_must_carry_text_or_an_image_within_limits() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let cases = [
        (json!({ "chatId": chat, "text": "" }), "empty_message"),
        (json!({ "chatId": chat, "text": " \n\t " }), "empty_message"),
        (json!({ "chatId": chat }), "empty_message"),
        (json!({ "chatId": chat, "text": "x".repeat(4001) }), "text_too_long"),
        (json!({ "chatId": chat, "text": "hi", "clientId": "has space" }), "invalid_client_id"),
        (json!({ "chatId": chat, "text": "hi", "clientId": "x".repeat(65) }), "invalid_client_id"),
        (
            json!({ "chatId": chat, "text": "hi", "replyTo": "0193a1b2-0000-7000-8000-000000000000" }),
            "invalid_reply",
        ),
        (json!({ "text": "hi" }), "invalid_body"),
        (json!({ "chatId": chat, "text": 5 }), "invalid_body"),
    ];
    for (body, code) in cases {
        let res = app.post_authed("/message", &a.token, body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body:.80}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code, "{body:.80}");
    }
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"], json!([]), "nothing was stored");
    let ok = app.send_text(&a, &chat, &"é".repeat(4000)).await;
    let reply = app
        .post_authed("/message", &a.token, json!({ "chatId": chat, "text": "re", "replyTo": ok["_id"] }))
        .await;
    assert_eq!(reply.json::<Value>().await.unwrap()["message"]["replyTo"], ok["_id"]);
}

#[tokio::test]
async fn a_send_answers_with_the_message_and_the_sender_in_the_seed_shape() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let res = app
        .post_authed("/message", &a.token, json!({ "chatId": chat, "text": "hello", "clientId": "c-1" }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let m = &body["message"];
    // The seed answered the sender's id, and its client relies on that (see SendAnswer).
    assert_eq!(body["sender"], a.user_id.as_str());
    assert_eq!((m["chatId"].as_str(), m["sender"].as_str()), (Some(chat.as_str()), Some(a.user_id.as_str())));
    assert_eq!((m["text"].as_str(), m["messageType"].as_str()), (Some("hello"), Some("text")));
    assert_eq!((m["seq"].as_i64(), m["clientId"].as_str()), (Some(1), Some("c-1")));
    assert_eq!(m["seen"], false);
    assert!(m.get("image").is_none());
    for f in ["_id", "createdAt", "updatedAt"] {
        assert!(m[f].is_string(), "{f}");
    }
}

#[tokio::test]
async fn sending_is_rate_limited_per_user_across_transports() {
    let app = natter_testkit::spawn_app_with(natter_testkit::TestOptions {
        send_rates: Some(natter_app::messages::SEND_RATES.to_vec()),
        ..Default::default()
    })
    .await;
    let (a, b, chat) = app.pair().await;
    for i in 0..30 {
        app.send_text(&a, &chat, &format!("burst {i}")).await;
    }
    let res = app.post_authed("/message", &a.token, json!({ "chatId": chat, "text": "one too many" })).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let socket = natter_testkit::TestSocket::connect(&app, &a.token).await;
    let ack =
        socket.ack("sendMessage", json!({ "chatId": chat, "text": "also too many", "clientId": "x1" })).await;
    assert_eq!(ack["error"]["code"], "rate_limited");
    // Someone else is not slowed down, and a second later the sender may go on.
    app.send_text(&b, &chat, "my turn").await;
    app.clock.advance(Duration::from_secs(1));
    app.send_text(&a, &chat, "calmer now").await;
    let page: Value =
        app.get_authed(&format!("/message/{chat}?limit=200"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 32, "refused sends stored nothing");
}

#[tokio::test]
async fn pages_and_event_feeds_are_capped() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    for i in 0..505 {
        app.send_text(&a, &chat, &format!("m{i}")).await;
    }
    let page: Value =
        app.get_authed(&format!("/message/{chat}?limit=100000"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 200, "at most 200 messages a page");
    assert_eq!(page["hasMore"], true);
    let events: Value = app
        .get_authed(&format!("/chat/{chat}/events?after=0&limit=100000"), &a.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["events"].as_array().unwrap().len(), 500, "at most 500 events a page");
    let events: Value =
        app.get_authed(&format!("/chat/{chat}/events?after=0"), &a.token).await.json().await.unwrap();
    assert_eq!(events["events"].as_array().unwrap().len(), 100, "100 by default");
    let res = app.get_authed(&format!("/message/{chat}?limit=-1"), &a.token).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
