//! Edits, deletes for everyone and reactions (issue 12, points 2 and 3): who may, until when, what every
//! member sees live and on catch-up, and what is left of a deleted message.

use std::time::Duration;

use natter_testkit::{LoggedIn, TestApp, TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn edit(app: &TestApp, who: &LoggedIn, id: &Value, text: &str) -> (StatusCode, Value) {
    let res = app
        .http
        .patch(app.api(&format!("/message/{}", id.as_str().unwrap())))
        .bearer_auth(&who.token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn delete(app: &TestApp, who: &LoggedIn, id: &Value) -> (StatusCode, Value) {
    let res = app
        .http
        .delete(app.api(&format!("/message/{}", id.as_str().unwrap())))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn events_after(app: &TestApp, who: &LoggedIn, chat: &str, after: i64) -> Vec<Value> {
    let page: Value =
        app.get_authed(&format!("/chat/{chat}/events?after={after}"), &who.token).await.json().await.unwrap();
    page["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_edit_is_seen_live_and_on_catch_up_and_the_old_text_stays_with_the_sender() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut b_socket = TestSocket::connect(&app, &b.token).await;
    let m = app.send_text(&a, &chat, "helo").await;
    b_socket.expect("newMessage").await;

    let (status, body) = edit(&app, &a, &m["_id"], "  hello  ").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let edited = &body["message"];
    assert_eq!((edited["text"].as_str(), &edited["seq"]), (Some("hello"), &m["seq"]), "trimmed, same place");
    assert!(edited["editedAt"].is_string());
    let live = b_socket.expect("messageUpdated").await;
    assert_eq!((live["_id"].clone(), live["text"].clone()), (m["_id"].clone(), json!("hello")));

    // Catch-up: the change is a feed row of its own, after the message.
    let rows = events_after(&app, &b, &chat, m["seq"].as_i64().unwrap()).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["kind"].as_str(), rows[0]["payload"]["text"].as_str()),
        (Some("message.edited"), Some("hello"))
    );
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["text"], "hello");

    // The same text again: 200, nothing new for anyone.
    assert_eq!(edit(&app, &a, &m["_id"], "hello").await.0, StatusCode::OK);
    assert!(b_socket.collect("messageUpdated", Duration::from_millis(300)).await.is_empty());
    assert_eq!(events_after(&app, &b, &chat, m["seq"].as_i64().unwrap()).await.len(), 1);

    // The earlier texts: for the sender only.
    let mine: Value = app
        .get_authed(&format!("/message/{}/edits", m["_id"].as_str().unwrap()), &a.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["edits"].as_array().unwrap().iter().map(|e| e["text"].clone()).collect::<Vec<_>>(),
        [json!("helo")]
    );
    let theirs = app.get_authed(&format!("/message/{}/edits", m["_id"].as_str().unwrap()), &b.token).await;
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_the_sender_edits_within_24_hours_and_bad_edits_change_nothing() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let m = app.send_text(&a, &chat, "original").await;
    let refused = [
        (edit(&app, &b, &m["_id"], "not mine").await, StatusCode::FORBIDDEN, "not_allowed"),
        (edit(&app, &a, &m["_id"], "   ").await, StatusCode::BAD_REQUEST, "empty_message"),
        (edit(&app, &a, &m["_id"], &"x".repeat(4001)).await, StatusCode::BAD_REQUEST, "text_too_long"),
        (edit(&app, &a, &json!("not-an-id"), "x").await, StatusCode::NOT_FOUND, "message_not_found"),
        (
            edit(&app, &a, &json!("0193a000-0000-7000-8000-000000000000"), "x").await,
            StatusCode::NOT_FOUND,
            "message_not_found",
        ),
    ];
    for ((status, body), want, code) in refused {
        assert_eq!((status, body["code"].as_str()), (want, Some(code)), "{body}");
    }
    // Someone outside the chat cannot even learn that the message exists.
    let carol = app.login("carol@example.com").await;
    let (status, body) = edit(&app, &carol, &m["_id"], "x").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("message_not_found")));
    assert_eq!(delete(&app, &carol, &m["_id"]).await.0, StatusCode::NOT_FOUND);

    app.clock.advance(Duration::from_secs(24 * 3600 + 1));
    let (status, body) = edit(&app, &a, &m["_id"], "too late").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("edit_window_passed")));
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(
        (page["messages"][0]["text"].as_str(), &page["messages"][0]["editedAt"]),
        (Some("original"), &Value::Null)
    );
    assert!(events_after(&app, &a, &chat, m["seq"].as_i64().unwrap()).await.is_empty(), "no feed row");
}

#[tokio::test]
async fn a_deleted_image_message_is_a_tombstone_and_its_image_is_gone_from_the_media_store() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut b_socket = TestSocket::connect(&app, &b.token).await;
    let m = app.send_png(&a.token, &chat).await;
    b_socket.expect("newMessage").await;
    let link = app.local(m["image"]["url"].as_str().unwrap());
    assert_eq!(app.http.get(&link).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.media_files().len(), 2, "the image and its thumbnail");

    assert_eq!(delete(&app, &b, &m["_id"]).await.0, StatusCode::FORBIDDEN, "not the sender");
    let (status, body) = delete(&app, &a, &m["_id"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tomb = &body["message"];
    assert!(tomb["deletedAt"].is_string());
    assert_eq!((tomb["text"].as_str(), tomb.get("image"), &tomb["seq"]), (Some(""), None, &m["seq"]));
    let live = b_socket.expect("messageDeleted").await;
    assert_eq!((live["_id"].clone(), live.get("image")), (m["_id"].clone(), None));

    // The bytes are gone: the old signed link is a 404, the media store is empty.
    assert_eq!(app.http.get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(app.media_files().is_empty(), "{:?}", app.media_files());
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert!(page["messages"][0]["deletedAt"].is_string());
    let rows = events_after(&app, &b, &chat, m["seq"].as_i64().unwrap()).await;
    assert_eq!(rows.iter().map(|r| r["kind"].clone()).collect::<Vec<_>>(), [json!("message.deleted")]);

    // A retry of the delete answers the tombstone and writes nothing; a tombstone
    // cannot be edited back to life.
    let (status, again) = delete(&app, &a, &m["_id"]).await;
    assert_eq!((status, &again["message"]["deletedAt"]), (StatusCode::OK, &tomb["deletedAt"]));
    assert!(b_socket.collect("messageDeleted", Duration::from_millis(300)).await.is_empty());
    let (status, body) = edit(&app, &a, &m["_id"], "back").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("message_deleted")));
    let history = app.get_authed(&format!("/message/{}/edits", m["_id"].as_str().unwrap()), &a.token).await;
    assert_eq!(history.status(), StatusCode::NOT_FOUND, "its earlier texts went with it");
    assert_eq!(events_after(&app, &b, &chat, m["seq"].as_i64().unwrap()).await.len(), 1);
}

#[tokio::test]
async fn a_deleted_message_is_not_counted_unseen_and_previews_as_deleted() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let m = app.send_png(&a.token, &chat).await;
    delete(&app, &a, &m["_id"]).await;
    let list: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["chat"]["unseenCount"], 0);
    // A deleted image is no "📷 Image" any more: the preview says it was deleted.
    let latest = &list["chats"][0]["chat"]["latestMessage"];
    assert_eq!((latest["deleted"].as_bool(), latest["text"].as_str()), (Some(true), Some("")));
}

async fn react(app: &TestApp, who: &LoggedIn, id: &Value, emoji: &str, on: bool) -> (StatusCode, Value) {
    let url = app.api(&format!("/message/{}/reactions/{}", id.as_str().unwrap(), urlencoding(emoji)));
    let req = if on { app.http.put(url) } else { app.http.delete(url) };
    let res = req.bearer_auth(&who.token).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn reactions_toggle_per_user_live_and_on_catch_up() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a_socket = TestSocket::connect(&app, &a.token).await;
    let m = app.send_text(&b, &chat, "lunch?").await;
    a_socket.expect("newMessage").await;

    let (status, body) = react(&app, &a, &m["_id"], "👍", true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"]["reactions"], json!([{ "emoji": "👍", "users": [a.user_id] }]));
    let live = a_socket.expect("messageUpdated").await;
    assert_eq!(live["reactions"], body["message"]["reactions"]);
    // Once per user and emoji: the same again changes nothing.
    assert_eq!(react(&app, &a, &m["_id"], "👍", true).await.0, StatusCode::OK);
    assert!(a_socket.collect("messageUpdated", Duration::from_millis(300)).await.is_empty());
    // The unqualified heart is the same emoji as the qualified one.
    react(&app, &b, &m["_id"], "❤", true).await;
    react(&app, &b, &m["_id"], "👍", true).await;
    let (_, body) = react(&app, &a, &m["_id"], "❤️", true).await;
    assert_eq!(
        body["message"]["reactions"],
        json!([{ "emoji": "👍", "users": [a.user_id, b.user_id] }, { "emoji": "❤️", "users": [b.user_id, a.user_id] }])
    );
    let (_, body) = react(&app, &a, &m["_id"], "👍", false).await;
    // Emoji are listed in the order of their oldest reaction still there.
    assert_eq!(
        body["message"]["reactions"],
        json!([{ "emoji": "❤️", "users": [b.user_id, a.user_id] }, { "emoji": "👍", "users": [b.user_id] }])
    );

    // Catch-up and history say the same.
    let rows = events_after(&app, &a, &chat, m["seq"].as_i64().unwrap()).await;
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["reaction.added", "reaction.added", "reaction.added", "reaction.added", "reaction.removed"]
    );
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["reactions"], body["message"]["reactions"]);
}

#[tokio::test]
async fn a_reaction_is_one_emoji_from_a_member_on_a_live_message() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let m = app.send_text(&b, &chat, "hi").await;
    for bad in ["a", "👍👍", ":+1:", "%"] {
        let (status, body) = react(&app, &a, &m["_id"], bad, true).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_emoji")),
            "{bad}"
        );
    }
    let carol = app.login("carol@example.com").await;
    let (status, body) = react(&app, &carol, &m["_id"], "👀", true).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("message_not_found")));
    delete(&app, &b, &m["_id"]).await;
    let (status, body) = react(&app, &a, &m["_id"], "👀", true).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("message_deleted")));
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["reactions"], json!([]));
}

#[tokio::test]
async fn edits_deletes_and_reactions_spend_the_senders_send_budget() {
    let app = natter_testkit::spawn_app_with(natter_testkit::TestOptions {
        send_rates: Some(natter_app::messages::SEND_RATES.to_vec()),
        ..Default::default()
    })
    .await;
    let (a, b, chat) = app.pair().await;
    let m = app.send_text(&b, &chat, "react to me").await;
    // The clock stands still: the burst of 30 a second is all there is.
    for i in 0..30 {
        let (status, body) = react(&app, &a, &m["_id"], "👍", i % 2 == 0).await;
        assert_eq!(status, StatusCode::OK, "change {i}: {body}");
    }
    let (status, body) = react(&app, &a, &m["_id"], "👍", true).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["reactions"], json!([]), "the refused change changed nothing");
}
