//! The delivery contract: acked means stored, idempotent by clientId, one gapless
//! order per chat, and nothing lost across a disconnect.

use std::sync::Arc;
use std::time::Duration;

use natter_testkit::{TestSocket, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_same_client_id_sent_twice_stores_one_message() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let body = json!({ "chatId": chat, "text": "once", "clientId": "retry-1" });
    let first = app.post_authed("/message", &a.token, body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = app.post_authed("/message", &a.token, body).await;
    assert_eq!(again.status(), StatusCode::OK, "a retry is answered with the original");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["message"]["_id"], again["message"]["_id"]);
    let socket = TestSocket::connect(&app, &a.token).await;
    let ack =
        socket.ack("sendMessage", json!({ "chatId": chat, "text": "once", "clientId": "retry-1" })).await;
    assert_eq!(ack["message"]["_id"], first["message"]["_id"]);
    // Another sender may use the same clientId: it is theirs.
    let b_msg = app
        .post_authed("/message", &b.token, json!({ "chatId": chat, "text": "mine", "clientId": "retry-1" }))
        .await;
    assert_eq!(b_msg.status(), StatusCode::CREATED);
    let page: Value = app.get_authed(&format!("/message/{chat}"), &b.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_client_id_sent_concurrently_stores_one_message() {
    let app = Arc::new(spawn_app().await);
    let (a, _b, chat) = app.pair().await;
    let mut b_socket = TestSocket::connect(&app, &a.token).await;
    let sends = (0..20).map(|_| {
        let (app, token, chat) = (app.clone(), a.token.clone(), chat.clone());
        tokio::spawn(async move {
            let res = app
                .post_authed(
                    "/message",
                    &token,
                    json!({ "chatId": chat, "text": "race", "clientId": "same" }),
                )
                .await;
            (res.status(), res.json::<Value>().await.unwrap()["message"]["_id"].clone())
        })
    });
    let results: Vec<(StatusCode, Value)> =
        futures::future::join_all(sends).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count(), 1);
    assert!(results.iter().all(|(_, id)| *id == results[0].1), "everyone got the original");
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert_eq!(b_socket.collect("newMessage", Duration::from_millis(400)).await.len(), 1, "announced once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_senders_produce_gapless_increasing_seq() {
    let app = Arc::new(spawn_app().await);
    let (a, b, chat) = app.pair().await;
    let senders = (0..10).map(|i| {
        let (app, token, chat) = (app.clone(), if i % 2 == 0 { a.token.clone() } else { b.token.clone() }, chat.clone());
        tokio::spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..10 {
                let res = app
                    .post_authed("/message", &token, json!({ "chatId": chat, "text": format!("{i}-{n}"), "clientId": format!("c{i}-{n}") }))
                    .await;
                seqs.push(res.json::<Value>().await.unwrap()["message"]["seq"].as_i64().unwrap());
            }
            seqs
        })
    });
    let per_sender: Vec<Vec<i64>> =
        futures::future::join_all(senders).await.into_iter().map(Result::unwrap).collect();
    for seqs in &per_sender {
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "each sender's seqs increase: {seqs:?}");
    }
    let mut all: Vec<i64> = per_sender.concat();
    all.sort();
    assert_eq!(all, (1..=100).collect::<Vec<_>>(), "gapless and unique");
    let events: Value = app
        .get_authed(&format!("/chat/{chat}/events?after=0&limit=500"), &a.token)
        .await
        .json()
        .await
        .unwrap();
    let seqs: Vec<i64> =
        events["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
    assert_eq!(events["lastSeq"], 100);
}

#[tokio::test]
async fn a_client_that_missed_100_messages_catches_up_with_exactly_those_in_order() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    app.send_text(&a, &chat, "before").await;
    let mut b_socket = TestSocket::connect(&app, &b.token).await;
    b_socket.expect("getOnlineUser").await;
    let seen_up_to = 1;
    b_socket.disconnect().await;
    for i in 0..100 {
        app.send_text(&a, &chat, &format!("while away {i}")).await;
    }
    // Back: the chat list says how far the chat moved...
    let list: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    let last_seq = list["chats"][0]["chat"]["lastSeq"].as_i64().unwrap();
    assert_eq!(last_seq, 101);
    // ...and the events feed fills the gap, page by page.
    let mut got = Vec::new();
    let mut after = seen_up_to;
    loop {
        let page: Value = app
            .get_authed(&format!("/chat/{chat}/events?after={after}&limit=30"), &b.token)
            .await
            .json()
            .await
            .unwrap();
        let events = page["events"].as_array().unwrap().clone();
        if events.is_empty() {
            break;
        }
        after = events.last().unwrap()["seq"].as_i64().unwrap();
        got.extend(events);
    }
    assert_eq!(got.len(), 100);
    for (i, e) in got.iter().enumerate() {
        assert_eq!(e["kind"], "message.created");
        assert_eq!(e["seq"].as_i64(), Some(i as i64 + 2));
        assert_eq!(e["actor"], a.user_id.as_str());
        assert_eq!(e["at"], e["payload"]["createdAt"]);
        assert_eq!(e["payload"]["text"], format!("while away {i}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn members_get_new_messages_in_seq_order_when_both_send_at_once() {
    let app = Arc::new(spawn_app().await);
    let (a, b, chat) = app.pair().await;
    let mut watcher = TestSocket::connect(&app, &b.token).await;
    let sends = (0..50).map(|i| {
        let (app, token, chat) = (app.clone(), if i % 2 == 0 { &a } else { &b }.token.clone(), chat.clone());
        tokio::spawn(async move {
            let res =
                app.post_authed("/message", &token, json!({ "chatId": chat, "text": format!("m{i}") })).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        })
    });
    for s in futures::future::join_all(sends).await {
        s.unwrap();
    }
    let got = watcher.collect("newMessage", Duration::from_millis(800)).await;
    let seqs: Vec<i64> = got.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>(), "every member sees the chat's one order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sends_from_one_socket_are_stored_in_the_order_they_were_sent() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let socket = TestSocket::connect(&app, &a.token).await;
    // Back to back, no waiting for acks: a client flushing its outbox.
    for i in 0..25 {
        socket
            .emit(
                "sendMessage",
                json!({ "chatId": chat, "text": format!("m{i}"), "clientId": format!("c{i}") }),
            )
            .await;
    }
    let texts: Vec<String> = natter_testkit::eventually(Duration::from_secs(10), "all 25 stored", || async {
        let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
        let texts: Vec<String> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect();
        (texts.len() == 25).then_some(texts)
    })
    .await;
    assert_eq!(texts, (0..25).map(|i| format!("m{i}")).collect::<Vec<_>>());
}
