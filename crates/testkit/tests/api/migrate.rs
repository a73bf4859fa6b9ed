//! `natter admin migrate --to postgres://...`: an SQLite installation copied into an
//! empty PostgreSQL database, interrupted and resumed, then served from PostgreSQL on
//! the same data directory: the same sessions, history, unread counts and images.

use std::ops::ControlFlow;
use std::sync::Arc;

use natter::migrate::{Outcome, migrate_to};
use natter::{RawConfig, Settings};
use natter_testkit::db::TestDatabase;
use natter_testkit::{TestOptions, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;

fn settings_for(dir: &std::path::Path) -> Settings {
    Settings::from_raw(RawConfig { data_dir: dir.to_path_buf(), ..RawConfig::default() }).unwrap()
}

/// What a user sees of their chats: order, unread counts, the newest message.
fn chat_list(v: &Value) -> Vec<(String, i64, String)> {
    v["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let c = &item["chat"];
            (
                c["_id"].as_str().unwrap().to_owned(),
                c["unseenCount"].as_i64().unwrap(),
                c["latestMessage"].to_string(),
            )
        })
        .collect()
}

fn history(v: &Value) -> Vec<(String, i64, String)> {
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["_id"].as_str().unwrap().to_owned(), m["seq"].as_i64().unwrap(), m["text"].to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sqlite_installation_moves_to_postgres_resumably_with_sessions_history_and_unread() {
    // The source is the embedded SQLite store whichever backend this run tests.
    if natter_testkit::db::skip_on_postgres(
        "an_sqlite_installation_moves_to_postgres_resumably_with_sessions_history_and_unread",
    ) {
        return;
    }
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let carol = app.login("carol@example.com").await;
    let other = app.start_chat(&carol, &a.user_id).await;
    // A group with an admin and a mention: roles, notices and mentions move too.
    let group = app
        .post_authed(
            "/chat/group",
            &a.token,
            serde_json::json!({ "name": "Launch", "userIds": [b.user_id, carol.user_id] }),
        )
        .await;
    let group = group.json::<Value>().await.unwrap()["chatId"].as_str().unwrap().to_owned();
    let promote = app.api(&format!("/chat/{group}/members/{}", carol.user_id));
    let promoted =
        app.http.patch(&promote).bearer_auth(&a.token).json(&serde_json::json!({ "role": "admin" }));
    assert_eq!(promoted.send().await.unwrap().status(), StatusCode::OK);
    let mention = serde_json::json!({ "chatId": group, "text": "@Bob look", "mentions": [b.user_id] });
    assert_eq!(app.post_authed("/message", &a.token, mention).await.status(), StatusCode::CREATED);
    for i in 0..150 {
        let (who, to) = if i % 3 == 0 { (&b, &chat) } else { (&a, &chat) };
        app.send_text(who, to, &format!("line {i} ✓ — \"quoted\"")).await;
    }
    let img = app.send_png(&a.token, &chat).await;
    let hello = app.send_text(&carol, &other, "hello from carol").await;
    // Two edits: the message and its earlier texts move too.
    for text in ["hello from Carol", "hello from Carol!"] {
        let res = app
            .http
            .patch(app.api(&format!("/message/{}", hello["_id"].as_str().unwrap())))
            .bearer_auth(&carol.token)
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let thumbs = app.api(&format!("/message/{}/reactions/%F0%9F%91%8D", hello["_id"].as_str().unwrap()));
    assert_eq!(app.http.put(&thumbs).bearer_auth(&a.token).send().await.unwrap().status(), StatusCode::OK);
    // Blocks and settings move too.
    let block = app.api(&format!("/user/{}/block", carol.user_id));
    assert_eq!(
        app.http.post(&block).bearer_auth(&b.token).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let hide = app.http.patch(app.api("/me/settings")).bearer_auth(&carol.token);
    let hide = hide.json(&serde_json::json!({ "showLastSeen": false })).send().await.unwrap();
    assert_eq!(hide.status(), StatusCode::OK);
    // A reply: its parent's preview comes back on PostgreSQL; and what search finds
    // there (its index is PostgreSQL's own, built as the rows arrive).
    let reply = app
        .post_authed(
            "/message",
            &carol.token,
            serde_json::json!({ "chatId": other, "text": "replying via natter.toml", "replyTo": hello["_id"] }),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    let searches = ["line 149", "natter.toml", "Carol!"];
    let found_before = searched(&app, &a.token, &searches).await;
    assert_eq!(found_before.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1, 1], "{found_before:?}");
    let lists_before: Vec<Value> = chat_lists(&app, &[&a.token, &b.token, &carol.token], "/chat/all").await;
    let history_before: Value =
        app.get_authed(&format!("/message/{chat}?limit=200"), &a.token).await.json().await.unwrap();
    let data = app.data_dir.clone();
    app.stop().await;
    let data = Arc::into_inner(data).expect("the stopped server let go of its data");
    let settings = settings_for(data.path());
    let target = TestDatabase::create().await;

    // Interrupted after the third page of messages...
    let mut message_pages = 0;
    let first = migrate_to(&settings, target.url(), 25, |p| {
        if p.table == "messages" {
            message_pages += 1;
            assert_eq!(p.total, 156);
            assert_eq!(p.copied, 25 * message_pages);
        }
        if message_pages == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })
    .await
    .unwrap();
    assert_eq!(first, Outcome::Interrupted);
    let half = natter_store_postgres::PgStore::open(target.url()).await;
    assert!(half.is_err(), "a half-copied database is not servable");
    let (copied,): (i64,) = sqlx_count(target.url(), "messages").await;
    assert_eq!(copied, 75, "three pages committed, nothing of the fourth");

    // ...and resumed after the last committed page.
    let mut resumed_from = None;
    let done = migrate_to(&settings, target.url(), 25, |p| {
        if p.table == "messages" && resumed_from.is_none() {
            resumed_from = Some(p.copied);
        }
        ControlFlow::Continue(())
    })
    .await
    .unwrap();
    assert_eq!(resumed_from, Some(100), "the copy went on after the 75 rows it had");
    let Outcome::Copied { tables, chats_checked, resumed } = done else { panic!("{done:?}") };
    assert!(resumed);
    assert_eq!(chats_checked, 3);
    let rows = |t: &str| tables.iter().find(|c| c.table == t).map(|c| c.rows);
    assert_eq!(rows("users"), Some(3));
    assert_eq!(rows("messages"), Some(156));
    assert_eq!(rows("chat_events"), Some(159));
    assert!(tables.iter().all(|t| !t.table.starts_with("message_search")), "the search index is not copied");
    assert_eq!(rows("message_reactions"), Some(1));
    assert_eq!(rows("message_edits"), Some(2));
    assert_eq!(rows("chat_members"), Some(7));
    assert_eq!(rows("blocks"), Some(1));
    assert_eq!(rows("user_settings"), Some(1));
    assert!(rows("sessions") >= Some(3) && rows("jobs") >= Some(3), "{tables:?}");

    let again = migrate_to(&settings, target.url(), 25, |_| ControlFlow::Continue(())).await.unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again:#}");

    // The same data directory, served from PostgreSQL.
    let data = Arc::new(data.on_postgres(target));
    let pg = spawn_app_with(TestOptions { data_dir: Some(data), ..Default::default() }).await;
    let me = pg.get_authed("/me", &a.token).await;
    assert_eq!(me.status(), StatusCode::OK, "the old session is valid on PostgreSQL");
    let lists_after = chat_lists(&pg, &[&a.token, &b.token, &carol.token], "/chat/all").await;
    for (before, after) in lists_before.iter().zip(&lists_after) {
        assert_eq!(chat_list(before), chat_list(after));
    }
    // b's own last line (seq 148) marked everything before it read; a's two lines
    // after it and the image are not.
    let bobs_pair = chat_list(&lists_after[1]).into_iter().find(|(id, ..)| *id == chat).unwrap();
    assert_eq!(bobs_pair.1, 3, "{}", lists_after[1]);
    let history_after: Value =
        pg.get_authed(&format!("/message/{chat}?limit=200"), &a.token).await.json().await.unwrap();
    assert_eq!(history(&history_before), history(&history_after));
    let image = pg.http.get(pg.local(img["image"]["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK, "the media stayed in the data directory");
    let edits: Value = pg
        .get_authed(&format!("/message/{}/edits", hello["_id"].as_str().unwrap()), &carol.token)
        .await
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> =
        edits["edits"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["hello from carol", "hello from Carol"]);
    // The reactions' identity moved past the copied ids too: a second one is stored.
    let thumbs = pg.api(&format!("/message/{}/reactions/%F0%9F%91%8D", hello["_id"].as_str().unwrap()));
    let res = pg.http.put(&thumbs).bearer_auth(&carol.token).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"]["reactions"][0]["users"], serde_json::json!([a.user_id, carol.user_id]));
    let bobs = &lists_after[1]["chats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chat"]["_id"] == group.as_str())
        .unwrap()["chat"];
    assert_eq!(
        (bobs["owner"].as_str(), bobs["admins"].clone()),
        (Some(a.user_id.as_str()), serde_json::json!([carol.user_id]))
    );
    assert_eq!(bobs["mentionCount"], 1, "the unread mention counts on PostgreSQL: {bobs}");
    let blocks: Value = pg.get_authed("/me/blocks", &b.token).await.json().await.unwrap();
    assert_eq!(blocks["blocks"][0]["user"]["_id"], carol.user_id.as_str(), "{blocks}");
    let settings: Value = pg.get_authed("/me/settings", &carol.token).await.json().await.unwrap();
    assert_eq!(settings["showLastSeen"], false);
    let next = pg.send_text(&b, &chat, "first on PostgreSQL").await;
    assert_eq!(next["seq"], 152, "the chat's seq goes on where SQLite left it (151)");
    // A new login works too: the login codes' identity moved past the copied ids.
    pg.login("dave@example.com").await;
    assert_eq!(searched(&pg, &a.token, &searches).await, found_before, "the copy is found as the source was");
    let theirs: Value = pg.get_authed(&format!("/message/{other}"), &a.token).await.json().await.unwrap();
    let copied_reply = theirs["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(copied_reply["replyPreview"]["text"], "hello from Carol!");
}

/// The ids of what `token`'s user finds with each query.
async fn searched(app: &natter_testkit::TestApp, token: &str, queries: &[&str]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for q in queries {
        let res =
            app.http.get(app.api("/search")).query(&[("q", q)]).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        out.push(
            body["messages"].as_array().unwrap().iter().map(|h| h["message"]["_id"].to_string()).collect(),
        );
    }
    out
}

async fn chat_lists(app: &natter_testkit::TestApp, tokens: &[&str], path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for t in tokens {
        let res = app.get_authed(path, t).await;
        assert_eq!(res.status(), StatusCode::OK);
        out.push(res.json().await.unwrap());
    }
    out
}

async fn sqlx_count(url: &str, table: &str) -> (i64,) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_as(&format!("select count(*) from {table}")).fetch_one(&mut conn).await.unwrap()
}

#[tokio::test]
async fn a_migration_refuses_a_target_that_already_holds_an_installation() {
    if natter_testkit::db::skip_on_postgres("a_migration_refuses_a_target_that_already_holds_an_installation")
    {
        return;
    }
    let source = spawn_app().await;
    source.login("ada@example.com").await;
    let data = source.data_dir.clone();
    source.stop().await;
    // A database a server already uses:
    let used = natter_testkit::spawn::TestData::fresh().await.on_postgres(TestDatabase::create().await);
    let server = spawn_app_with(TestOptions { data_dir: Some(Arc::new(used)), ..Default::default() }).await;
    server.login("someone@example.com").await;
    let url = server.data_dir.database_url();
    let err =
        migrate_to(&settings_for(data.path()), &url, 100, |_| ControlFlow::Continue(())).await.unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err:#}");
    let (users,): (i64,) = sqlx_count(&url, "users").await;
    assert_eq!(users, 1, "nothing was written into it");
    let not_pg = migrate_to(&settings_for(data.path()), "mysql://db/x", 100, |_| ControlFlow::Continue(()))
        .await
        .unwrap_err();
    assert!(not_pg.to_string().contains("postgres://"), "{not_pg:#}");
}
