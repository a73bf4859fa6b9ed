//! Open sockets are capped per user (20) and per client address, refused with
//! `connect_error: too_many_connections`, and every way a socket ends gives its slot back.

use std::time::Duration;

use natter_app::connections::SocketCaps;
use natter_testkit::socket::SocketOptions;
use natter_testkit::{TestApp, TestOptions, TestSocket, eventually, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn with_token(token: &str) -> SocketOptions {
    SocketOptions { auth: Some(json!({ "token": token })), ..Default::default() }
}

/// A socket as a client behind our proxy at `client`.
fn forwarded(token: &str, client: &str) -> SocketOptions {
    SocketOptions { headers: vec![("X-Forwarded-For".into(), client.into())], ..with_token(token) }
}

/// Wait until a socket with `opts` is accepted again (slots come back when the server
/// has finished with the old socket, a moment after the client let go).
async fn accepted_eventually(app: &TestApp, opts: SocketOptions) -> TestSocket {
    eventually(Duration::from_secs(10), "a free socket slot", || async {
        TestSocket::try_connect(app, opts.clone()).await.ok()
    })
    .await
}

#[tokio::test]
async fn a_user_holds_twenty_sockets_and_the_twenty_first_is_refused_until_one_closes() {
    let app = spawn_app().await;
    let ada = app.login("ada@example.com").await;
    let mut open = Vec::new();
    for _ in 0..20 {
        open.push(TestSocket::connect(&app, &ada.token).await);
    }
    let refused = TestSocket::try_connect(&app, with_token(&ada.token)).await.err();
    assert!(refused.as_deref().is_some_and(|e| e.contains("too_many_connections")), "{refused:?}");
    // Someone else on the same address is not affected.
    let bob = app.login("bob@example.com").await;
    TestSocket::connect(&app, &bob.token).await.disconnect().await;
    open.pop().unwrap().disconnect().await;
    accepted_eventually(&app, with_token(&ada.token)).await.disconnect().await;
}

#[tokio::test]
async fn one_address_is_capped_across_users_and_ipv6_by_its_64() {
    let app = spawn_app_with(TestOptions {
        trusted_proxies: Some("127.0.0.1".into()),
        socket_caps: Some(SocketCaps { per_user: 20, per_ip: 2 }),
        ..Default::default()
    })
    .await;
    let users = [
        app.login("ada@example.com").await,
        app.login("bob@example.com").await,
        app.login("cy@example.com").await,
    ];
    for client in ["203.0.113.1", "2001:db8:1:2::1"] {
        let _a = TestSocket::try_connect(&app, forwarded(&users[0].token, client)).await.unwrap();
        let _b = TestSocket::try_connect(&app, forwarded(&users[1].token, client)).await.unwrap();
        let other_in_64 = client.replace("::1", "::ffff");
        let refused = TestSocket::try_connect(&app, forwarded(&users[2].token, &other_in_64)).await.err();
        assert!(
            refused.as_deref().is_some_and(|e| e.contains("too_many_connections")),
            "{client}: {refused:?}"
        );
        let elsewhere = if client.contains(':') { "2001:db8:1:3::1" } else { "203.0.113.2" };
        TestSocket::try_connect(&app, forwarded(&users[2].token, elsewhere))
            .await
            .unwrap()
            .disconnect()
            .await;
        for s in [_a, _b] {
            s.disconnect().await;
        }
    }
}

/// The engine.io session id of a fresh polling handshake.
async fn polling_session(app: &TestApp) -> String {
    let res = app.http.get(format!("{}/socket.io/?EIO=4&transport=polling", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let open: Value = serde_json::from_str(body.trim_start_matches('0')).unwrap();
    open["sid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_socket_whose_transport_closes_during_its_handshake_gives_its_slot_back() {
    // CONNECT and the transport's close in one polling body: the close lands while the
    // handshake is still being checked, so Socket.IO drops that socket without ever
    // calling a disconnect handler. A count kept there would lock the user out.
    let app = spawn_app_with(TestOptions {
        socket_caps: Some(SocketCaps { per_user: 1, per_ip: 200 }),
        ..Default::default()
    })
    .await;
    let ada = app.login("ada@example.com").await;
    for _ in 0..5 {
        let sid = polling_session(&app).await;
        let body = format!("40{}\u{1e}1", json!({ "token": ada.token }));
        let res = app
            .http
            .post(format!("{}/socket.io/?EIO=4&transport=polling&sid={sid}", app.url))
            .header("content-type", "text/plain;charset=UTF-8")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let s = accepted_eventually(&app, with_token(&ada.token)).await;
    // And the one slot is really taken now.
    let refused = TestSocket::try_connect(&app, with_token(&ada.token)).await.err();
    assert!(refused.as_deref().is_some_and(|e| e.contains("too_many_connections")), "{refused:?}");
    s.disconnect().await;
}

#[tokio::test]
async fn a_socket_whose_transport_closes_without_a_socket_io_goodbye_gives_its_slot_back() {
    let app = spawn_app_with(TestOptions {
        socket_caps: Some(SocketCaps { per_user: 1, per_ip: 200 }),
        ..Default::default()
    })
    .await;
    let ada = app.login("ada@example.com").await;
    let sid = polling_session(&app).await;
    let url = format!("{}/socket.io/?EIO=4&transport=polling&sid={sid}", app.url);
    let post = |body: String| {
        app.http.post(&url).header("content-type", "text/plain;charset=UTF-8").body(body).send()
    };
    assert_eq!(post(format!("40{}", json!({ "token": ada.token }))).await.unwrap().status(), StatusCode::OK);
    // A long-poll may carry other packets (a ping) first: read until the CONNECT answer.
    let mut answers = Vec::new();
    for _ in 0..5 {
        let answer = app.http.get(&url).send().await.unwrap().text().await.unwrap();
        let connected = answer.split('\u{1e}').any(|p| p.starts_with("40{"));
        answers.push(answer);
        if connected {
            break;
        }
    }
    assert!(
        answers.last().is_some_and(|a| a.split('\u{1e}').any(|p| p.starts_with("40{"))),
        "the namespace CONNECT was accepted: {answers:?}"
    );
    let refused = TestSocket::try_connect(&app, with_token(&ada.token)).await.err();
    assert!(refused.as_deref().is_some_and(|e| e.contains("too_many_connections")), "{refused:?}");
    // The engine.io close packet alone, as a client whose tab is closing sends it.
    assert_eq!(post("1".into()).await.unwrap().status(), StatusCode::OK);
    accepted_eventually(&app, with_token(&ada.token)).await.disconnect().await;
}
