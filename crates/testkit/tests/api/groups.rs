//! Group chats (issue 12, point 1): who may do what, the system messages and feed
//! rows each change writes, what every member sees live, and that a removed member
//! gets nothing of the chat from that moment.

use std::time::Duration;

use natter_testkit::{LoggedIn, TestApp, TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn create(app: &TestApp, owner: &LoggedIn, name: &str, members: &[&LoggedIn]) -> String {
    let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    let res = app.post_authed("/chat/group", &owner.token, json!({ "name": name, "userIds": ids })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["chatId"].as_str().unwrap().to_owned()
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    who: &LoggedIn,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.api(path)).bearer_auth(&who.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn rename(app: &TestApp, who: &LoggedIn, chat: &str, name: &str) -> (StatusCode, Value) {
    call(app, reqwest::Method::PATCH, &format!("/chat/{chat}"), who, Some(json!({ "name": name }))).await
}

async fn add(app: &TestApp, who: &LoggedIn, chat: &str, users: &[&LoggedIn]) -> (StatusCode, Value) {
    let ids: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    call(app, reqwest::Method::POST, &format!("/chat/{chat}/members"), who, Some(json!({ "userIds": ids })))
        .await
}

async fn remove(app: &TestApp, who: &LoggedIn, chat: &str, user: &LoggedIn) -> StatusCode {
    call(app, reqwest::Method::DELETE, &format!("/chat/{chat}/members/{}", user.user_id), who, None).await.0
}

async fn set_role(
    app: &TestApp,
    who: &LoggedIn,
    chat: &str,
    user: &LoggedIn,
    role: &str,
) -> (StatusCode, Value) {
    let path = format!("/chat/{chat}/members/{}", user.user_id);
    call(app, reqwest::Method::PATCH, &path, who, Some(json!({ "role": role }))).await
}

async fn chat_list(app: &TestApp, who: &LoggedIn) -> Vec<Value> {
    let body: Value = app.get_authed("/chat/all", &who.token).await.json().await.unwrap();
    body["chats"].as_array().unwrap().clone()
}

async fn kinds(app: &TestApp, who: &LoggedIn, chat: &str) -> Vec<String> {
    let page: Value = app.get_authed(&format!("/chat/{chat}/events"), &who.token).await.json().await.unwrap();
    page["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

async fn three(app: &TestApp) -> (LoggedIn, LoggedIn, LoggedIn) {
    (
        app.login("ada@example.com").await,
        app.login("bob@example.com").await,
        app.login("cy@example.com").await,
    )
}

#[tokio::test]
async fn a_new_group_reaches_its_members_live_and_lists_its_name_members_and_notice() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let mut bob_socket = TestSocket::connect(&app, &bob.token).await;
    let chat = create(&app, &ada, "  Launch  ", &[&bob, &cy]).await;

    let notice = bob_socket.expect("newMessage").await;
    assert_eq!((notice["messageType"].as_str(), notice["text"].as_str()), (Some("system"), Some("")));
    assert_eq!(notice["system"]["kind"], "chat.created");
    assert_eq!(notice["system"]["name"], "Launch");
    assert_eq!(notice["system"]["users"], json!([bob.user_id, cy.user_id]));
    let live = bob_socket.expect("chatUpdated").await;
    assert_eq!((live["_id"].as_str(), live["name"].as_str()), (Some(chat.as_str()), Some("Launch")));

    let list = chat_list(&app, &cy).await;
    assert_eq!(list.len(), 1);
    let row = &list[0];
    assert!(row["user"].is_null(), "a group has no single other member");
    assert_eq!(
        (row["chat"]["isGroup"].as_bool(), row["chat"]["name"].as_str()),
        (Some(true), Some("Launch"))
    );
    assert_eq!(row["chat"]["owner"], json!(ada.user_id));
    assert_eq!(row["chat"]["unseenCount"], 0, "a notice is not unread");
    assert_eq!(row["chat"]["latestMessage"]["system"]["kind"], "chat.created");
    let names: Vec<&str> =
        row["members"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3);

    // Messages from everyone reach everyone; seen by whoever read them.
    let m = app.send_text(&bob, &chat, "hello team").await;
    assert_eq!(bob_socket.expect("newMessage").await["_id"], m["_id"]);
    let _ = app.get_authed(&format!("/message/{chat}"), &ada.token).await;
    let _ = app.get_authed(&format!("/message/{chat}"), &cy.token).await;
    let page: Value = app.get_authed(&format!("/message/{chat}"), &bob.token).await.json().await.unwrap();
    let mine = page["messages"].as_array().unwrap().iter().find(|x| x["_id"] == m["_id"]).unwrap().clone();
    let mut seen_by: Vec<String> =
        mine["seenBy"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    seen_by.sort();
    let mut want = vec![ada.user_id.clone(), cy.user_id.clone()];
    want.sort();
    assert_eq!(seen_by, want, "seen by the other two");
}

#[tokio::test]
async fn creating_a_group_again_with_its_client_id_answers_the_same_group() {
    let app = spawn_app().await;
    let (ada, bob, _) = three(&app).await;
    let body = json!({ "name": "Ops", "userIds": [bob.user_id], "clientId": "make-ops-1" });
    let first: Value = app.post_authed("/chat/group", &ada.token, body.clone()).await.json().await.unwrap();
    let again = app.post_authed("/chat/group", &ada.token, body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Value>().await.unwrap()["chatId"], first["chatId"]);
    assert_eq!(chat_list(&app, &bob).await.len(), 1);
}

#[tokio::test]
async fn bad_group_requests_are_clear_400s_and_change_nothing() {
    let app = spawn_app().await;
    let (ada, bob, _) = three(&app).await;
    let cases = [
        (json!({ "name": "", "userIds": [bob.user_id] }), "invalid_name"),
        (json!({ "name": "x".repeat(81), "userIds": [bob.user_id] }), "invalid_name"),
        (json!({ "name": "Ok", "userIds": [] }), "invalid_user"),
        (json!({ "name": "Ok", "userIds": ["not-an-id"] }), "invalid_user"),
        (json!({ "name": "Ok", "userIds": [uuid::Uuid::now_v7().to_string()] }), "invalid_user"),
        (
            json!({ "name": "Ok", "userIds": (0..257).map(|_| uuid::Uuid::now_v7().to_string()).collect::<Vec<_>>() }),
            "too_many_members",
        ),
        (json!({ "name": "Ok", "userIds": [bob.user_id], "clientId": "no spaces" }), "invalid_client_id"),
    ];
    for (body, code) in cases {
        let res = app.post_authed("/chat/group", &ada.token, body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code, "{body}");
    }
    assert!(chat_list(&app, &ada).await.is_empty());
    // A 1:1 chat is no group.
    let direct = app.start_chat(&ada, &bob.user_id).await;
    assert_eq!(rename(&app, &ada, &direct, "Us").await.1["code"], "not_a_group");
}

#[tokio::test]
async fn the_owner_and_admins_manage_a_group_and_members_only_leave() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let dee = app.login("dee@example.com").await;
    let chat = create(&app, &ada, "Launch", &[&bob, &cy]).await;

    assert_eq!(rename(&app, &bob, &chat, "Bob's").await.1["code"], "not_allowed");
    assert_eq!(add(&app, &bob, &chat, &[&dee]).await.1["code"], "not_allowed");
    assert_eq!(remove(&app, &bob, &chat, &cy).await, StatusCode::FORBIDDEN);
    assert_eq!(set_role(&app, &bob, &chat, &cy, "admin").await.1["code"], "not_allowed");
    assert_eq!(set_role(&app, &ada, &chat, &cy, "owner").await.1["code"], "invalid_role");

    let (status, body) = set_role(&app, &ada, &chat, &bob, "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chat"]["admins"], json!([bob.user_id]));
    let (status, body) = rename(&app, &bob, &chat, "Liftoff").await;
    assert_eq!((status, body["chat"]["name"].as_str()), (StatusCode::OK, Some("Liftoff")));
    let (status, body) = add(&app, &bob, &chat, &[&dee]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["chat"]["users"].as_array().unwrap().len(), 4);
    // Already so: 200 and nothing written.
    let before = kinds(&app, &ada, &chat).await.len();
    assert_eq!(add(&app, &bob, &chat, &[&dee]).await.0, StatusCode::OK);
    assert_eq!(rename(&app, &bob, &chat, "Liftoff").await.0, StatusCode::OK);
    assert_eq!(kinds(&app, &ada, &chat).await.len(), before);

    assert_eq!(remove(&app, &bob, &chat, &ada).await, StatusCode::FORBIDDEN, "an admin keeps the owner");
    assert_eq!(remove(&app, &bob, &chat, &dee).await, StatusCode::NO_CONTENT);
    assert_eq!(remove(&app, &bob, &chat, &dee).await, StatusCode::NO_CONTENT, "already gone");
    assert_eq!(remove(&app, &cy, &chat, &cy).await, StatusCode::NO_CONTENT, "anyone leaves");

    // The owner leaves: the admin owns it now, and says so.
    assert_eq!(remove(&app, &ada, &chat, &ada).await, StatusCode::NO_CONTENT);
    let list = chat_list(&app, &bob).await;
    assert_eq!(list[0]["chat"]["owner"], json!(bob.user_id));
    assert_eq!(list[0]["chat"]["latestMessage"]["system"]["newOwner"], json!(bob.user_id));
    assert_eq!(
        kinds(&app, &bob, &chat).await,
        [
            "chat.created",
            "member.role_changed",
            "chat.renamed",
            "member.added",
            "member.removed",
            "member.removed",
            "member.removed"
        ]
    );
}

#[tokio::test]
async fn a_removed_member_gets_nothing_of_the_chat_from_that_moment() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob, &cy]).await;
    let mut bob_socket = TestSocket::connect(&app, &bob.token).await;
    assert_eq!(bob_socket.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    let mut cy_socket = TestSocket::connect(&app, &cy.token).await;
    assert_eq!(cy_socket.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    let direct = app.start_chat(&ada, &bob.user_id).await;
    bob_socket.expect("chatUpdated").await;
    let before = app.send_text(&cy, &chat, "before").await;
    bob_socket.expect("newMessage").await;
    // Bob, viewing, read it on arrival: his own receipt is announced to the members
    // as they were then, and must be in before the removal (it once came after it and
    // was taken for one that reached him removed).
    bob_socket.expect("messagesSeen").await;

    assert_eq!(remove(&app, &ada, &chat, &bob).await, StatusCode::NO_CONTENT);
    let gone = bob_socket.expect("membersChanged").await;
    assert_eq!((gone["chatId"].as_str(), &gone["chat"]), (Some(chat.as_str()), &Value::Null));
    assert_eq!(gone["removed"], json!([bob.user_id]));
    let seen = cy_socket.expect("membersChanged").await;
    assert_eq!(seen["chat"]["users"].as_array().unwrap().len(), 2);

    // Nothing reaches Bob: no messages, no typing, no receipts, no edits.
    cy_socket.emit("typing", json!({ "chatId": chat })).await;
    let after = app.send_text(&cy, &chat, "after").await;
    let res = app
        .http
        .patch(app.api(&format!("/message/{}", before["_id"].as_str().unwrap())))
        .bearer_auth(&cy.token)
        .json(&json!({ "text": "before, edited" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Ada's 1:1 with Bob is the barrier: whatever the group sent came before it.
    app.send_text(&ada, &direct, "barrier").await;
    let (events, barrier) = bob_socket.events_until("newMessage").await;
    assert_eq!(barrier["text"], "barrier");
    for event in ["userTyping", "messageUpdated", "messagesSeen", "chatUpdated"] {
        assert!(!events.iter().any(|e| e == event), "{event} reached a removed member: {events:?}");
    }
    assert!(bob_socket.collect("newMessage", Duration::from_millis(300)).await.is_empty());

    // And nothing over REST or the socket either.
    for path in [
        format!("/message/{chat}"),
        format!("/chat/{chat}/events"),
        format!("/message/{}/edits", after["_id"].as_str().unwrap()),
    ] {
        let status = app.get_authed(&path, &bob.token).await.status();
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{path}: {status}");
    }
    let send =
        app.post_authed("/message", &bob.token, json!({ "chatId": chat, "text": "still here?" })).await;
    assert_eq!(send.status(), StatusCode::FORBIDDEN);
    let ack =
        bob_socket.ack("sendMessage", json!({ "chatId": chat, "text": "socket?", "clientId": "b-1" })).await;
    assert_eq!(ack["error"]["code"], "not_a_member");
    assert_eq!(bob_socket.ack("joinChat", json!(chat)).await, json!({ "ok": false }));
    assert!(chat_list(&app, &bob).await.iter().all(|c| c["chat"]["_id"] != json!(chat)));
    let react = app
        .http
        .put(app.api(&format!("/message/{}/reactions/👍", after["_id"].as_str().unwrap())))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(react.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_member_is_told_live_and_sees_the_group() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob]).await;
    app.send_text(&bob, &chat, "earlier").await;
    let mut cy_socket = TestSocket::connect(&app, &cy.token).await;
    let mut bob_socket = TestSocket::connect(&app, &bob.token).await;
    let eve = app.login("eve@example.com").await;
    let mut eve_socket = TestSocket::connect(&app, &eve.token).await;
    assert_eq!(add(&app, &ada, &chat, &[&cy]).await.0, StatusCode::OK);
    // Those already in it hear of the new member, and nobody is told the chat is gone
    // (an add removes no one: its "gone" notice goes to no socket, not to all).
    let seen = bob_socket.collect("membersChanged", Duration::from_millis(400)).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["added"], json!([cy.user_id]));
    assert!(seen[0]["chat"].is_object());
    assert!(eve_socket.collect("membersChanged", Duration::from_millis(100)).await.is_empty());
    let changed = cy_socket.expect("membersChanged").await;
    assert_eq!(changed["added"], json!([cy.user_id]));
    assert_eq!(changed["chat"]["name"], "Launch");
    assert_eq!(chat_list(&app, &cy).await[0]["chat"]["unseenCount"], 0, "what came before is not unread");
    assert_eq!(cy_socket.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    let m = app.send_text(&bob, &chat, "welcome").await;
    assert_eq!(cy_socket.expect("newMessage").await["_id"], m["_id"]);
    // What was said before Cy joined is not unread, and what came while Cy viewed it was seen.
    natter_testkit::eventually(Duration::from_secs(5), "Cy has nothing unread", || async {
        (chat_list(&app, &cy).await[0]["chat"]["unseenCount"] == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn admins_delete_anyones_message_and_see_its_earlier_texts_and_notices_stay() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob, &cy]).await;
    let m = app.send_text(&bob, &chat, "frist").await;
    let id = m["_id"].as_str().unwrap();
    let res = app
        .http
        .patch(app.api(&format!("/message/{id}")))
        .bearer_auth(&bob.token)
        .json(&json!({ "text": "first" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_authed(&format!("/message/{id}/edits"), &cy.token).await.status(),
        StatusCode::FORBIDDEN
    );
    let edits: Value =
        app.get_authed(&format!("/message/{id}/edits"), &ada.token).await.json().await.unwrap();
    assert_eq!(edits["edits"][0]["text"], "frist", "the owner sees the earlier text");
    let by_cy =
        app.http.delete(app.api(&format!("/message/{id}"))).bearer_auth(&cy.token).send().await.unwrap();
    assert_eq!(by_cy.status(), StatusCode::FORBIDDEN);
    let by_ada =
        app.http.delete(app.api(&format!("/message/{id}"))).bearer_auth(&ada.token).send().await.unwrap();
    assert_eq!(by_ada.status(), StatusCode::OK);
    assert!(by_ada.json::<Value>().await.unwrap()["message"]["deletedAt"].is_string());

    // The group's notices are nobody's to change.
    let page: Value = app.get_authed(&format!("/message/{chat}"), &ada.token).await.json().await.unwrap();
    let notice = page["messages"][0]["_id"].as_str().unwrap().to_owned();
    for res in [
        app.http.delete(app.api(&format!("/message/{notice}"))).bearer_auth(&ada.token).send().await.unwrap(),
        app.http
            .patch(app.api(&format!("/message/{notice}")))
            .bearer_auth(&ada.token)
            .json(&json!({ "text": "x" }))
            .send()
            .await
            .unwrap(),
        app.http
            .put(app.api(&format!("/message/{notice}/reactions/👍")))
            .bearer_auth(&bob.token)
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let reply = app
        .post_authed("/message", &bob.token, json!({ "chatId": chat, "text": "re", "replyTo": notice }))
        .await;
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn group_changes_catch_up_through_the_feed_with_the_chat_as_it_is() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob]).await;
    rename(&app, &ada, &chat, "Liftoff").await;
    add(&app, &ada, &chat, &[&cy]).await;
    let page: Value =
        app.get_authed(&format!("/chat/{chat}/events?after=1"), &bob.token).await.json().await.unwrap();
    let events = page["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "chat.renamed");
    assert_eq!(events[0]["payload"]["system"]["name"], "Liftoff");
    assert_eq!(events[1]["chat"]["users"].as_array().unwrap().len(), 3);
    assert_eq!(page["lastSeq"], 3);
}

#[tokio::test]
async fn strangers_get_403_or_404_for_every_group_operation() {
    let app = spawn_app().await;
    let (ada, bob, eve) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob]).await;
    let mut eve_socket = TestSocket::connect(&app, &eve.token).await;
    assert_eq!(rename(&app, &eve, &chat, "Mine").await.1["code"], "not_a_member");
    assert_eq!(add(&app, &eve, &chat, &[&eve]).await.1["code"], "not_a_member");
    assert_eq!(remove(&app, &eve, &chat, &bob).await, StatusCode::FORBIDDEN);
    assert_eq!(set_role(&app, &eve, &chat, &bob, "admin").await.0, StatusCode::FORBIDDEN);
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_eq!(rename(&app, &eve, &unknown, "X").await.0, StatusCode::NOT_FOUND);
    // Eve heard nothing of the group's life.
    rename(&app, &ada, &chat, "Liftoff").await;
    app.send_text(&bob, &chat, "hi").await;
    let events = eve_socket.collect("newMessage", Duration::from_millis(400)).await;
    assert!(events.is_empty());
    assert_eq!(kinds(&app, &ada, &chat).await, ["chat.created", "chat.renamed", "message.created"]);
}

#[tokio::test]
async fn a_mention_is_kept_for_members_only_and_counted_apart_until_read() {
    let app = spawn_app().await;
    let (ada, bob, cy) = three(&app).await;
    let eve = app.login("eve@example.com").await;
    let chat = create(&app, &ada, "Launch", &[&bob, &cy]).await;
    let send = |body: Value| app.post_authed("/message", &ada.token, body);
    let res = send(json!({
        "chatId": chat,
        "text": "@Bob look",
        // Bob twice, Ada herself, and Eve, who is not in the group: only Bob stays.
        "mentions": [bob.user_id, bob.user_id, ada.user_id, eve.user_id],
    }))
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m = res.json::<Value>().await.unwrap()["message"].clone();
    assert_eq!(m["mentions"], json!([bob.user_id]));
    app.send_text(&ada, &chat, "no mention").await;

    let row = |list: Vec<Value>| list[0]["chat"].clone();
    let bob_row = row(chat_list(&app, &bob).await);
    assert_eq!((bob_row["unseenCount"].as_i64(), bob_row["mentionCount"].as_i64()), (Some(2), Some(1)));
    assert_eq!(row(chat_list(&app, &cy).await)["mentionCount"], 0);
    let page: Value = app.get_authed(&format!("/message/{chat}"), &bob.token).await.json().await.unwrap();
    let listed = page["messages"].as_array().unwrap().iter().find(|x| x["_id"] == m["_id"]).unwrap().clone();
    assert_eq!(listed["mentions"], json!([bob.user_id]), "history keeps the mention");
    assert_eq!(row(chat_list(&app, &bob).await)["mentionCount"], 0, "read: no longer counted");

    // A deleted mention is not counted; bad mentions are clear 400s; a 1:1 chat has none.
    let again = send(json!({ "chatId": chat, "text": "@Cy", "mentions": [cy.user_id] })).await;
    let again = again.json::<Value>().await.unwrap()["message"]["_id"].as_str().unwrap().to_owned();
    assert_eq!(row(chat_list(&app, &cy).await)["mentionCount"], 1);
    app.http.delete(app.api(&format!("/message/{again}"))).bearer_auth(&ada.token).send().await.unwrap();
    assert_eq!(row(chat_list(&app, &cy).await)["mentionCount"], 0);
    for (mentions, code) in [
        (json!(["not-an-id"]), "invalid_mention"),
        (json!((0..51).map(|_| uuid::Uuid::now_v7().to_string()).collect::<Vec<_>>()), "too_many_mentions"),
    ] {
        let res = send(json!({ "chatId": chat, "text": "x", "mentions": mentions })).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code);
    }
    let direct = app.start_chat(&ada, &bob.user_id).await;
    let res = send(json!({ "chatId": direct, "text": "@Bob", "mentions": [bob.user_id] })).await;
    assert_eq!(res.json::<Value>().await.unwrap()["message"]["mentions"], json!([]));
}

#[tokio::test]
async fn group_changes_have_a_rate_and_past_it_nothing_is_written() {
    let app = spawn_app().await;
    let (ada, bob, _) = three(&app).await;
    let chat = create(&app, &ada, "Launch", &[&bob]).await;
    // The creation was the first change of 20 a minute; 19 renames use up the rest.
    for i in 0..19 {
        assert_eq!(rename(&app, &ada, &chat, &format!("Name {i}")).await.0, StatusCode::OK);
    }
    let (status, body) = rename(&app, &ada, &chat, "One too many").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let list = chat_list(&app, &bob).await;
    assert_eq!(list[0]["chat"]["name"], "Name 18", "the refused rename wrote nothing");
}
