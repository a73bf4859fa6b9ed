//! Seen receipts: a message that reaches a member who is viewing its chat is seen at
//! once, as in the seed; one that reaches a member who is not viewing it is not.

use natter_testkit::{TestSocket, spawn_app};
use serde_json::{Value, json};

async fn view(socket: &TestSocket, chat: &str) {
    let ack = socket.ack("joinChat", json!(chat)).await;
    assert_eq!(ack["ok"], true, "joined");
}

async fn unseen_count(app: &natter_testkit::TestApp, token: &str, chat: &str) -> i64 {
    let list: Value = app.get_authed("/chat/all", token).await.json().await.unwrap();
    let row = list["chats"].as_array().unwrap().iter().find(|r| r["chat"]["_id"] == chat).unwrap().clone();
    row["chat"]["unseenCount"].as_i64().unwrap()
}

#[tokio::test]
async fn a_message_reaching_a_viewer_is_seen_at_once_and_stays_seen_after_a_reload() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let b1 = TestSocket::connect(&app, &b.token).await;
    view(&b1, &chat).await;

    let m = app.send_text(&a, &chat, "watched arriving").await;
    let seen = a1.expect("messagesSeen").await;
    assert_eq!(seen["chatId"], chat.as_str());
    assert_eq!(seen["seenBy"], b.user_id.as_str());
    assert_eq!(seen["messageIds"], json!([m["_id"]]));
    assert_eq!(seen["upToSeq"], m["seq"]);

    // A reload: the marker is durable, the chat is not counted unseen.
    assert_eq!(unseen_count(&app, &b.token, &chat).await, 0);
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["seen"], true);
}

/// The first `messagesSeen` the sender gets must name both messages: had the first
/// been marked while nobody viewed the chat, a `messagesSeen` for it alone would have
/// come first.
async fn first_message_stays_unseen_until_viewed(
    app: &natter_testkit::TestApp,
    a: &natter_testkit::LoggedIn,
    b: &natter_testkit::LoggedIn,
    chat: &str,
    a1: &mut TestSocket,
    b_view: &TestSocket,
    b_any: &mut TestSocket,
) {
    let m1 = app.send_text(a, chat, "while away").await;
    let arrived = b_any.expect("newMessage").await;
    assert_eq!(arrived["_id"], m1["_id"]);
    assert_eq!(unseen_count(app, &b.token, chat).await, 1);
    view(b_view, chat).await;
    let m2 = app.send_text(a, chat, "while viewing").await;
    let seen = a1.expect("messagesSeen").await;
    assert_eq!(seen["messageIds"], json!([m1["_id"], m2["_id"]]), "m1 was not seen on arrival");
}

#[tokio::test]
async fn a_viewer_that_left_the_chat_does_not_mark_it_seen() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    view(&b1, &chat).await;
    assert_eq!(b1.ack("leaveChat", json!(chat)).await["ok"], true);
    let b_view = TestSocket::connect(&app, &b.token).await;
    first_message_stays_unseen_until_viewed(&app, &a, &b, &chat, &mut a1, &b_view, &mut b1).await;
}

#[tokio::test]
async fn a_viewer_that_disconnected_does_not_mark_it_seen() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    let gone = TestSocket::connect(&app, &b.token).await;
    view(&gone, &chat).await;
    gone.disconnect().await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    let b_view = TestSocket::connect(&app, &b.token).await;
    first_message_stays_unseen_until_viewed(&app, &a, &b, &chat, &mut a1, &b_view, &mut b1).await;
}

#[tokio::test]
async fn the_sender_viewing_their_own_chat_marks_nothing() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a1 = TestSocket::connect(&app, &a.token).await;
    view(&a1, &chat).await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    let b_view = TestSocket::connect(&app, &b.token).await;
    first_message_stays_unseen_until_viewed(&app, &a, &b, &chat, &mut a1, &b_view, &mut b1).await;
}

#[tokio::test]
async fn a_new_chat_reaches_its_members_as_a_whole_chat() {
    let app = spawn_app().await;
    let a = app.login("ada@example.com").await;
    let b = app.login("bob@example.com").await;
    let mut b1 = TestSocket::connect(&app, &b.token).await;
    let chat = app.start_chat(&a, &b.user_id).await;
    let got = b1.expect("chatUpdated").await;
    assert_eq!(got["_id"], chat.as_str());
    let mut users: Vec<&str> = got["users"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    users.sort();
    let mut want = vec![a.user_id.as_str(), b.user_id.as_str()];
    want.sort();
    assert_eq!(users, want);
    assert_eq!(got["unseenCount"], 0);
    assert_eq!(got["latestMessage"], Value::Null);
    assert_eq!(got["lastSeq"], 0);
}
