//! `GET /search` (issue 12, point 6): prefixes, words with dots and URLs; only the
//! chats you belong to; newest first with the hit's ranges; any input is text.

use natter_testkit::{LoggedIn, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn search(app: &TestApp, who: &LoggedIn, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = app.http.get(app.api("/search")).query(params).bearer_auth(&who.token).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

/// The texts found with `q`, newest first.
async fn texts(app: &TestApp, who: &LoggedIn, q: &str) -> Vec<String> {
    let (status, body) = search(app, who, &[("q", q)]).await;
    assert_eq!(status, StatusCode::OK, "{q:?}: {body}");
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message"]["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_finds_prefixes_dotted_words_and_urls_newest_first_with_the_hits_marked() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    app.send_text(&a, &chat, "🦀 we deploy natter.toml from https://example.com/a/b").await;
    app.send_text(&b, &chat, "Deployment of v1.2.3 done").await;
    app.send_text(&b, &chat, "unrelated").await;

    assert_eq!(
        texts(&app, &a, "deplo").await,
        ["Deployment of v1.2.3 done", "🦀 we deploy natter.toml from https://example.com/a/b"]
    );
    assert_eq!(texts(&app, &b, "natter.toml").await.len(), 1);
    assert_eq!(texts(&app, &b, "example.com/a/b").await.len(), 1);
    assert_eq!(texts(&app, &b, "v1.2.3").await, ["Deployment of v1.2.3 done"]);

    let (_, body) = search(&app, &a, &[("q", "deploy natter.toml")]).await;
    let hit = &body["messages"][0];
    let text: Vec<u16> = hit["message"]["text"].as_str().unwrap().encode_utf16().collect();
    let marked: Vec<String> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            String::from_utf16(&text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
                .unwrap()
        })
        .collect();
    assert_eq!(marked, ["deploy", "natter.toml"], "ranges in UTF-16 units, after the crab's two");
    assert_eq!(body["hasMore"], false);
    assert_eq!(hit["message"]["chatId"], json!(chat));
}

#[tokio::test]
async fn search_never_returns_messages_of_chats_you_are_not_in() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let carol = app.login("carol@example.com").await;
    let bc = app.start_chat(&carol, &b.user_id).await;
    app.send_text(&a, &chat, "the launch code is 1234").await;
    app.send_text(&carol, &bc, "the launch party is friday").await;
    assert_eq!(texts(&app, &a, "launch").await, ["the launch code is 1234"]);
    assert_eq!(texts(&app, &carol, "launch").await, ["the launch party is friday"]);
    assert_eq!(texts(&app, &b, "launch").await.len(), 2);
    let (status, body) = search(&app, &b, &[("q", "launch"), ("chatId", &chat)]).await;
    assert_eq!((status, body["messages"].as_array().unwrap().len()), (StatusCode::OK, 1));
    // Naming a chat you are not in: refused as elsewhere, and nothing of it.
    let (status, body) = search(&app, &carol, &[("q", "launch"), ("chatId", &chat)]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_a_member")));
    assert!(body.get("messages").is_none());
    let (status, body) =
        search(&app, &carol, &[("q", "launch"), ("chatId", "0193a000-0000-7000-8000-000000000000")]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("chat_not_found")));
    let res = app.http.get(app.api("/search?q=launch")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_edited_message_is_found_by_its_new_text_and_a_deleted_one_by_nothing() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let m = app.send_text(&a, &chat, "meet at the harbour").await;
    let id = m["_id"].as_str().unwrap();
    let res = app
        .http
        .patch(app.api(&format!("/message/{id}")))
        .bearer_auth(&a.token)
        .json(&json!({ "text": "meet at the station" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(texts(&app, &b, "harbour").await.is_empty());
    assert_eq!(texts(&app, &b, "station").await, ["meet at the station"]);
    let res = app.http.delete(app.api(&format!("/message/{id}"))).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(texts(&app, &b, "meet").await.is_empty());
}

#[tokio::test]
async fn search_pages_with_before_and_bounds_its_limit() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    for i in 0..5 {
        app.send_text(&a, &chat, &format!("report {i}")).await;
    }
    let (_, first) = search(&app, &a, &[("q", "report"), ("limit", "2")]).await;
    let ids = |p: &Value| {
        p["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["message"]["text"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (ids(&first), &first["hasMore"]),
        (vec!["report 4".to_owned(), "report 3".into()], &json!(true))
    );
    let last = first["messages"][1]["message"]["_id"].as_str().unwrap().to_owned();
    let (_, next) = search(&app, &a, &[("q", "report"), ("limit", "2"), ("before", &last)]).await;
    assert_eq!(ids(&next), ["report 2", "report 1"]);
    let (status, all) = search(&app, &a, &[("q", "report"), ("limit", "5000")]).await;
    assert_eq!(
        (status, all["messages"].as_array().unwrap().len()),
        (StatusCode::OK, 5),
        "at most 50, here all 5"
    );
    let (_, one) = search(&app, &a, &[("q", "report"), ("limit", "0")]).await;
    assert_eq!(one["messages"].as_array().unwrap().len(), 1, "at least one");
}

#[tokio::test]
async fn any_query_text_is_a_clear_answer_never_an_error_of_the_index() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    app.send_text(&a, &chat, "say \"hi\" (or not) -- ok* NEAR me").await;
    for q in [
        "\"",
        "\"hi",
        "*",
        "-hi",
        "OR",
        "AND NOT",
        "(",
        "NEAR(a b)",
        "'",
        "\\",
        ":*",
        "&|!",
        "<->",
        "\u{0}",
        "a\u{0}b",
        "😀",
        "%_",
    ] {
        let (status, body) = search(&app, &a, &[("q", q)]).await;
        assert_eq!(status, StatusCode::OK, "{q:?}: {body}");
    }
    assert_eq!(texts(&app, &a, "\"hi\" (or").await.len(), 1, "quotes and parentheses are text");
    for (q, why) in [("", "empty"), ("   ", "only spaces"), (&*"x".repeat(201), "too long")] {
        let (status, body) = search(&app, &a, &[("q", q)]).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{why}"
        );
    }
    let (status, _) = search(&app, &a, &[("q", &format!("  {}  ", "x".repeat(200)))]).await;
    assert_eq!(status, StatusCode::OK, "200 once trimmed");
    let (status, body) = search(&app, &a, &[]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")), "no q");
    let (status, body) = search(&app, &a, &[("q", "hi"), ("before", "nope")]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}

#[tokio::test]
async fn searching_faster_than_a_person_types_is_limited() {
    let app = spawn_app().await;
    let (a, b, _chat) = app.pair().await;
    for _ in 0..30 {
        assert_eq!(search(&app, &a, &[("q", "x")]).await.0, StatusCode::OK);
    }
    let (status, body) = search(&app, &a, &[("q", "x")]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    assert_eq!(search(&app, &b, &[("q", "x")]).await.0, StatusCode::OK, "per user");
}
