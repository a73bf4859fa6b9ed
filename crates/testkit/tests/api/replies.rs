//! Replies and the history around a message (issue 12, point 4): a reply carries its
//! parent's author and first line as they are now, everywhere a message goes; the
//! history endpoint pages around a seq for the jump to it.

use natter_testkit::{LoggedIn, TestApp, TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn reply(app: &TestApp, who: &LoggedIn, chat: &str, text: &str, to: &Value) -> Value {
    let res =
        app.post_authed("/message", &who.token, json!({ "chatId": chat, "text": text, "replyTo": to })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["message"].clone()
}

async fn page(app: &TestApp, who: &LoggedIn, chat: &str, query: &str) -> (StatusCode, Value) {
    let res = app.get_authed(&format!("/message/{chat}{query}"), &who.token).await;
    (res.status(), res.json().await.unwrap())
}

fn last_preview(page: &Value) -> Value {
    page["messages"].as_array().unwrap().last().unwrap()["replyPreview"].clone()
}

#[tokio::test]
async fn a_reply_shows_its_parents_author_and_first_line_as_they_are_now() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let mut a_socket = TestSocket::connect(&app, &a.token).await;
    let parent = app.send_text(&a, &chat, "Shall we deploy?\nI think it is ready.").await;
    a_socket.expect("newMessage").await;
    assert!(parent.get("replyPreview").is_none(), "no reply, no preview");

    let answer = reply(&app, &b, &chat, "yes", &parent["_id"]).await;
    let want = json!({
        "_id": parent["_id"], "seq": 1, "sender": a.user_id, "messageType": "text",
        "text": "Shall we deploy?", "deleted": false,
    });
    assert_eq!((&answer["replyTo"], &answer["replyPreview"]), (&parent["_id"], &want));
    assert_eq!(a_socket.expect("newMessage").await["replyPreview"], want, "live");
    assert_eq!(last_preview(&page(&app, &a, &chat, "").await.1), want, "in the history");
    let feed: Value =
        app.get_authed(&format!("/chat/{chat}/events?after=0"), &a.token).await.json().await.unwrap();
    assert_eq!(feed["events"][1]["payload"]["replyPreview"], want, "on catch-up");

    // The parent edited, then deleted: the preview follows.
    let id = parent["_id"].as_str().unwrap();
    let res = app
        .http
        .patch(app.api(&format!("/message/{id}")))
        .bearer_auth(&a.token)
        .json(&json!({ "text": "Deploy now" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(last_preview(&page(&app, &b, &chat, "").await.1)["text"], "Deploy now");
    let res = app.http.delete(app.api(&format!("/message/{id}"))).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let gone = last_preview(&page(&app, &b, &chat, "").await.1);
    assert_eq!(
        (&gone["deleted"], &gone["text"], &gone["sender"]),
        (&json!(true), &json!(""), &json!(a.user_id))
    );

    // A retried reply answers the original, preview included; a reply to a message of
    // another chat is refused.
    let again = app
        .post_authed(
            "/message",
            &b.token,
            json!({ "chatId": chat, "text": "yes", "replyTo": id, "clientId": answer["clientId"] }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["message"]["replyPreview"]["deleted"], true);
    let carol = app.login("carol@example.com").await;
    let elsewhere = app.start_chat(&carol, &a.user_id).await;
    let res = app
        .post_authed("/message", &a.token, json!({ "chatId": elsewhere, "text": "x", "replyTo": id }))
        .await;
    assert_eq!(
        (res.status(), res.json::<Value>().await.unwrap()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_reply"))
    );
}

#[tokio::test]
async fn around_shows_the_window_of_a_message_with_what_lies_either_side() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    for i in 1..=30 {
        app.send_text(if i % 2 == 0 { &a } else { &b }, &chat, &format!("m{i}")).await;
    }
    let seqs = |p: &Value| {
        p["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    let (status, p) = page(&app, &a, &chat, "?around=10&limit=6").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (seqs(&p), &p["hasMore"], &p["hasNewer"]),
        (vec![8, 9, 10, 11, 12, 13], &json!(true), &json!(true))
    );
    let (_, p) = page(&app, &a, &chat, "?around=29&limit=6").await;
    assert_eq!((seqs(&p), &p["hasNewer"]), (vec![27, 28, 29, 30], &json!(false)), "the live end");
    // From there, `after` pages down to the live end.
    let (_, p) = page(&app, &a, &chat, "?after=13&limit=10").await;
    assert_eq!((seqs(&p), &p["hasNewer"]), ((14..=23).collect(), &json!(true)));
    let (_, p) = page(&app, &a, &chat, "?after=23&limit=10").await;
    assert_eq!((seqs(&p), &p["hasNewer"]), ((24..=30).collect(), &json!(false)));
    let (_, latest) = page(&app, &a, &chat, "?limit=5").await;
    assert_eq!(latest["hasNewer"], false);

    for bad in ["?around=3&before=5", "?around=3&after=1", "?around=x"] {
        let (status, body) = page(&app, &a, &chat, bad).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{bad}"
        );
    }
    // Outside the chat: as the rest of the history endpoint, and nothing of it.
    let carol = app.login("carol@example.com").await;
    let (status, body) = page(&app, &carol, &chat, "?around=10").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_a_member")));
    assert!(body.get("messages").is_none());
    let (status, _) = page(&app, &carol, "0193a000-0000-7000-8000-000000000000", "?around=10").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
