//! Several nodes on one PostgreSQL database and one Redis: the bus between them
//! (`NATTER_REDIS_URL`), with a real redis-server that the tests stop and start again.
//! These run on every backend run: the nodes always share a PostgreSQL database of
//! their own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use natter_adapters::bus::RedisBus;
use natter_app::feed_sweeper::SWEEP_GRACE;
use natter_domain::bus::{Bus, BusError, BusEvent, Subscription};
use natter_domain::ids::{ChatId, UserId};
use natter_domain::ports::Rate;
use natter_testkit::db::TestDatabase;
use natter_testkit::faults::DyingNodeBus;
use natter_testkit::redis::TestRedis;
use natter_testkit::{ManualClock, TestApp, TestData, TestOptions, TestSocket, eventually, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn typing() -> BusEvent {
    BusEvent::Typing { chat_id: ChatId::new(), user_id: UserId::new(), typing: true }
}

async fn next(sub: &mut Box<dyn Subscription>) -> BusEvent {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("an event within 5 s")
        .expect("the bus is open")
        .expect("no event was dropped")
}

async fn nothing_more(sub: &mut Box<dyn Subscription>) {
    let more = tokio::time::timeout(Duration::from_millis(300), sub.next()).await;
    assert!(more.is_err(), "an event arrived twice: {more:?}");
}

#[tokio::test]
async fn an_event_reaches_its_own_node_at_once_and_every_other_node_once() {
    let redis = TestRedis::start().await;
    let one = RedisBus::connect(&redis.url(), 64).await.unwrap();
    let two = RedisBus::connect(&redis.url(), 64).await.unwrap();
    let (mut on_one, mut on_two) = (one.subscribe(), two.subscribe());
    let event = typing();
    one.publish(event.clone()).await.unwrap();
    assert_eq!(next(&mut on_one).await, event);
    assert_eq!(next(&mut on_two).await, event);
    // Its own event does not come back to node one through Redis.
    nothing_more(&mut on_one).await;
    nothing_more(&mut on_two).await;
    assert!(one.spans_nodes());
}

#[tokio::test]
async fn with_redis_down_a_node_serves_itself_and_the_others_hear_again_once_it_is_back() {
    let mut redis = TestRedis::start().await;
    let one = RedisBus::connect(&redis.url(), 64).await.unwrap();
    let two = RedisBus::connect(&redis.url(), 64).await.unwrap();
    let (mut on_one, mut on_two) = (one.subscribe(), two.subscribe());
    redis.stop();

    let during = typing();
    let started = Instant::now();
    let published = one.publish(during.clone()).await;
    assert!(matches!(published, Err(BusError::Unavailable(_))), "{published:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "a publish fails fast, it does not hang");
    assert_eq!(next(&mut on_one).await, during, "this node's own sockets still get it");
    nothing_more(&mut on_two).await;
    // Once it knows, it does not wait at all.
    let again = Instant::now();
    assert!(one.publish(typing()).await.is_err());
    assert!(again.elapsed() < Duration::from_millis(100));
    let _ = next(&mut on_one).await;

    redis.start_again().await;
    let after = typing();
    let (o, t) = (&one, &two);
    eventually(Duration::from_secs(10), "both nodes subscribed again", move || async move {
        (o.connected() && t.connected()).then_some(())
    })
    .await;
    // The publishing connection may take a moment longer than the subscription:
    // a publish that fails meanwhile is one the change feed covers.
    let deadline = Instant::now() + Duration::from_secs(10);
    while one.publish(after.clone()).await.is_err() {
        assert!(Instant::now() < deadline, "publishing works again within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(next(&mut on_two).await, after, "delivery across nodes resumes");
}

/// Two nodes of one deployment: one PostgreSQL database, one Redis, one clock (so a
/// test can move both past the sweeper's grace period).
async fn two_nodes(redis: &TestRedis) -> (TestApp, TestApp) {
    two_nodes_sending_at(redis, None).await
}

async fn two_nodes_sending_at(redis: &TestRedis, send_rates: Option<Vec<Rate>>) -> (TestApp, TestApp) {
    let data = Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await));
    let clock = Arc::new(ManualClock::new());
    let node = |role: &str| TestOptions {
        data_dir: Some(data.clone()),
        redis_url: Some(redis.url()),
        clock: Some(clock.clone()),
        role: Some(role.into()),
        send_rates: send_rates.clone(),
        ..Default::default()
    };
    // Node one mails the codes, so that the tests read them from its console mailbox.
    (spawn_app_with(node("all")).await, spawn_app_with(node("api,realtime")).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn people_on_different_nodes_chat_live_and_see_each_other_type() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (a, b, chat) = one.pair().await;
    let mut a_on_one = TestSocket::connect(&one, &a.token).await;
    let mut b_on_two = TestSocket::connect(&two, &b.token).await;
    assert_eq!(b_on_two.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    assert_eq!(a_on_one.ack("joinChat", json!(chat)).await, json!({ "ok": true }));

    let sent = one.send_text(&a, &chat, "from node one").await;
    let got = b_on_two.expect("newMessage").await;
    assert_eq!((got["_id"].clone(), got["text"].clone()), (sent["_id"].clone(), json!("from node one")));
    // B is viewing the chat on node two: A, on node one, hears it was seen.
    let seen = a_on_one.expect("messagesSeen").await;
    assert_eq!((seen["seenBy"].as_str(), seen["upToSeq"].as_i64()), (Some(b.user_id.as_str()), Some(1)));
    let ack = b_on_two
        .ack("sendMessage", json!({ "chatId": chat, "text": "from node two", "clientId": "n2-1" }))
        .await;
    assert_eq!(ack["message"]["seq"], 2);
    assert_eq!(a_on_one.expect("newMessage").await["text"], "from node two");

    b_on_two.emit("typing", json!({ "chatId": chat })).await;
    let typing = a_on_one.expect("userTyping").await;
    assert_eq!(typing["userId"], b.user_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_sent_while_redis_was_down_reach_the_other_node_once_it_is_back() {
    let mut redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (a, b, chat) = one.pair().await;
    let mut a_on_one = TestSocket::connect(&one, &a.token).await;
    let mut b_on_two = TestSocket::connect(&two, &b.token).await;
    one.send_text(&a, &chat, "before").await;
    assert_eq!(b_on_two.expect("newMessage").await["text"], "before");

    redis.stop();
    // Sending goes on: acked means stored, whatever the bus does.
    for text in ["during 1", "during 2"] {
        one.send_text(&a, &chat, text).await;
    }
    let mine = a_on_one.collect("newMessage", Duration::from_millis(500)).await;
    let texts: Vec<&str> = mine.iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["before", "during 1", "during 2"], "node one's own sockets are served");

    redis.start_again().await;
    // Past the sweeper's grace period, the unconfirmed rows are published again.
    one.clock.advance(Duration::from_secs(3));
    let mut texts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while texts.len() < 2 && Instant::now() < deadline {
        // The app's time passes with the test's: a sweep that claimed the rows while
        // Redis was still coming back holds them only for a while.
        one.clock.advance(Duration::from_millis(200));
        for m in b_on_two.collect("newMessage", Duration::from_millis(200)).await {
            texts.push(m["text"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(texts, ["during 1", "during 2"], "once each, in order, within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_limit_counted_on_one_node_holds_on_the_other() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes_sending_at(&redis, Some(vec![Rate::per(3, Duration::from_secs(60))])).await;
    let (a, _b, chat) = one.pair().await;
    one.send_text(&a, &chat, "1 on one").await;
    one.send_text(&a, &chat, "2 on one").await;
    two.send_text(&a, &chat, "3 on two").await;
    let fourth = two.post_authed("/message", &a.token, json!({ "chatId": chat, "text": "4 on two" })).await;
    assert_eq!(fourth.status(), StatusCode::TOO_MANY_REQUESTS, "3 per minute across both nodes");
    let fifth = one.post_authed("/message", &a.token, json!({ "chatId": chat, "text": "4 on one" })).await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = fifth.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_redis_down_logins_answer_503_and_chat_goes_on_then_all_is_back() {
    let mut redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (a, b, chat) = one.pair().await;
    let mut b_on_one = TestSocket::connect(&one, &b.token).await;
    redis.stop();

    for node in [&one, &two] {
        let login = node.post_json("/login", json!({ "email": "carol@example.com" })).await;
        assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE, "fail closed, never 500");
        assert!(login.headers().contains_key("retry-after"));
        let body: serde_json::Value = login.json().await.unwrap();
        assert_eq!(body["code"], "unavailable", "{body}");
        let verify =
            node.post_json("/verify", json!({ "email": "carol@example.com", "otp": "123456" })).await;
        assert_eq!(verify.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let readyz = format!("{}/readyz", two.url);
    let not_ready = eventually(Duration::from_secs(5), "/readyz to name Redis", || async {
        let res = two.http.get(&readyz).send().await.ok()?;
        (res.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(res)
    })
    .await;
    let body: serde_json::Value = not_ready.json().await.unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(body["message"].as_str().unwrap().contains("redis"), "{body}");
    // Chat on a node goes on for its own sockets, limited by that node alone.
    one.send_text(&a, &chat, "while Redis is down").await;
    assert_eq!(b_on_one.expect("newMessage").await["text"], "while Redis is down");

    redis.start_again().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let login = one.post_json("/login", json!({ "email": "carol@example.com" })).await;
        if login.status() == StatusCode::OK {
            break;
        }
        assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "logins work again within 10 s of Redis being back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Node two subscribes again on its own pace (every 250 ms), not at node one's login.
    let ready = eventually(Duration::from_secs(10), "node two ready again", || async {
        let res = two.http.get(&readyz).send().await.ok()?;
        (res.status() == StatusCode::OK).then_some(res)
    })
    .await;
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready, json!({ "status": "ready", "dependencies": ["store", "redis"] }));
}

#[tokio::test]
async fn a_mail_node_needs_no_redis_it_starts_and_is_ready_while_redis_is_down() {
    let mut redis = TestRedis::start().await;
    redis.stop();
    let data = Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await));
    let mail = spawn_app_with(TestOptions {
        data_dir: Some(data),
        redis_url: Some(redis.url()),
        role: Some("mail".into()),
        ..Default::default()
    })
    .await;
    let res = mail.http.get(format!("{}/readyz", mail.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready, json!({ "status": "ready", "dependencies": ["store"] }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logging_out_on_one_node_closes_the_sessions_sockets_on_the_other_within_a_second() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let a = one.login("ada@example.com").await;
    let mut a_on_two = TestSocket::connect(&two, &a.token).await;
    let res = one.http.post(one.api("/logout")).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(1), a_on_two.expect("close"))
        .await
        .expect("the socket on node two closed within 1 s");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_whose_node_died_before_publishing_reaches_a_socket_on_another_node_within_2_s() {
    let redis = TestRedis::start().await;
    let data = Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await));
    let clock = Arc::new(ManualClock::new());
    let node = |bus: Option<Arc<dyn Bus>>| TestOptions {
        data_dir: Some(data.clone()),
        redis_url: Some(redis.url()),
        clock: Some(clock.clone()),
        bus,
        ..Default::default()
    };
    let dying = spawn_app_with(node(Some(Arc::new(DyingNodeBus)))).await;
    let two = spawn_app_with(TestOptions { role: Some("api,realtime".into()), ..node(None) }).await;
    let (a, b, chat) = dying.pair().await;
    let mut b_on_two = TestSocket::connect(&two, &b.token).await;
    dying.send_text(&a, &chat, "committed, never published").await;
    // The test's clock stands still: move it past the sweeper's grace period, then
    // measure in real time what remains (the sweep's cadence and the delivery).
    clock.advance(SWEEP_GRACE + Duration::from_millis(1));
    let started = Instant::now();
    let got = b_on_two.expect("newMessage").await;
    assert_eq!(got["text"], "committed, never published");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_online_on_one_node_is_online_for_contacts_on_the_other_until_they_leave() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (a, b, _) = one.pair().await;
    let mut b_on_two = TestSocket::connect(&two, &b.token).await;
    assert_eq!(b_on_two.expect("getOnlineUser").await, json!([]));

    let a_on_one = TestSocket::connect(&one, &a.token).await;
    let came = b_on_two.expect("presence").await;
    assert_eq!(came, json!({ "userId": a.user_id, "online": true, "lastSeen": null }));
    // A socket that B opens now on node two is told A is online on node one.
    let mut b_again = TestSocket::connect(&two, &b.token).await;
    assert_eq!(b_again.expect("getOnlineUser").await, json!([a.user_id]));

    a_on_one.disconnect().await;
    // The fresh list first, then the change.
    assert_eq!(b_on_two.expect("getOnlineUser").await, json!([]));
    let gone = b_on_two.expect("presence").await;
    assert_eq!((&gone["userId"], &gone["online"]), (&json!(a.user_id), &json!(false)));
    // Written by node one, which saw A's last socket close; read by node two.
    assert!(gone["lastSeen"].is_string(), "{gone}");
    let profile: serde_json::Value =
        two.get_authed(&format!("/user/{}", a.user_id), &b.token).await.json().await.unwrap();
    assert_eq!(profile["lastSeen"], gone["lastSeen"]);
}

#[tokio::test]
async fn the_users_of_a_node_that_stops_beating_go_offline_and_only_its_own() {
    use natter_adapters::presence::RedisPresence;
    use natter_domain::ports::{PRESENCE_EXPIRY, Presence};

    let redis = TestRedis::start().await;
    let clock = Arc::new(ManualClock::new());
    let url = redis.url();
    let node = || RedisPresence::connect(&url, clock.clone(), PRESENCE_EXPIRY);
    let (dying, other, third) = (node().await.unwrap(), node().await.unwrap(), node().await.unwrap());
    let (alone, both, elsewhere) = (UserId::new(), UserId::new(), UserId::new());
    assert!(dying.opened(alone).await.unwrap(), "first socket anywhere: came online");
    assert!(dying.opened(both).await.unwrap());
    assert!(!other.opened(both).await.unwrap(), "online already, on the dying node");
    assert!(other.opened(elsewhere).await.unwrap());
    for n in [&dying, &other, &third] {
        assert!(n.beat().await.unwrap().is_empty());
    }
    assert_eq!(third.online(&[alone, both, elsewhere]).await.unwrap(), [alone, both, elsewhere]);

    // The dying node beats no more; the others go on beating.
    drop(dying);
    clock.advance(PRESENCE_EXPIRY / 2);
    assert!(other.beat().await.unwrap().is_empty(), "not dead yet");
    assert!(third.beat().await.unwrap().is_empty());
    clock.advance(PRESENCE_EXPIRY / 2 + Duration::from_millis(1));
    let (on_other, on_third) = (other.beat().await.unwrap(), third.beat().await.unwrap());
    // One node takes the dead one over and says who is gone; the other says nothing.
    let gone: Vec<UserId> = on_other.into_iter().chain(on_third).collect();
    assert_eq!(gone, [alone], "only who had no socket elsewhere is offline");
    assert_eq!(other.online(&[alone, both, elsewhere]).await.unwrap(), [both, elsewhere]);
    assert!(third.beat().await.unwrap().is_empty() && other.beat().await.unwrap().is_empty(), "once");

    // Sockets on two live nodes: closing one leaves the user online.
    assert!(!third.opened(elsewhere).await.unwrap());
    assert!(!other.closed(elsewhere).await.unwrap(), "still open on the third node");
    assert_eq!(other.online(&[elsewhere]).await.unwrap(), [elsewhere]);
    assert!(third.closed(elsewhere).await.unwrap(), "the last socket anywhere");
    assert!(other.online(&[elsewhere]).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_removed_on_one_node_is_out_on_the_other_at_once_and_a_new_one_is_in() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (ada, bob) = (one.login("ada@example.com").await, one.login("bob@example.com").await);
    let cy = one.login("cy@example.com").await;
    let res = one
        .post_authed("/chat/group", &ada.token, json!({ "name": "Launch", "userIds": [bob.user_id] }))
        .await;
    let chat = res.json::<Value>().await.unwrap()["chatId"].as_str().unwrap().to_owned();
    // Bob sends on node two, so node two remembers him as a member.
    let mut bob_on_two = TestSocket::connect(&two, &bob.token).await;
    assert_eq!(bob_on_two.ack("joinChat", json!(chat)).await, json!({ "ok": true }));
    two.send_text(&bob, &chat, "I am in").await;

    let removed = one
        .http
        .delete(one.api(&format!("/chat/{chat}/members/{}", bob.user_id)))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    // Whether or not node two has heard yet, its send is refused as it commits.
    let send = two.post_authed("/message", &bob.token, json!({ "chatId": chat, "text": "still?" })).await;
    assert_eq!(send.status(), StatusCode::FORBIDDEN);
    assert_eq!(bob_on_two.expect("membersChanged").await["chat"], Value::Null);

    // Cy, added on node one, gets the group's next message on node two.
    let add = one
        .post_authed(&format!("/chat/{chat}/members"), &ada.token, json!({ "userIds": [cy.user_id] }))
        .await;
    assert_eq!(add.status(), StatusCode::OK);
    let mut cy_on_two = TestSocket::connect(&two, &cy.token).await;
    let sent = one.send_text(&ada, &chat, "welcome, Cy").await;
    assert_eq!(cy_on_two.expect("newMessage").await["_id"], sent["_id"]);
    assert!(bob_on_two.collect("newMessage", Duration::from_millis(300)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_block_made_on_one_node_refuses_sends_on_the_other_at_once() {
    let redis = TestRedis::start().await;
    let (one, two) = two_nodes(&redis).await;
    let (a, b, chat) = one.pair().await;
    // Node two has read b's blocks (none) for this send, and remembers them.
    two.send_text(&b, &chat, "before").await;
    let block = one.api(&format!("/user/{}/block", b.user_id));
    assert_eq!(
        one.http.post(&block).bearer_auth(&a.token).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    // Within the bus's delivery, far inside what node two would otherwise trust
    // (`blocks::FRESH_FOR`): BlocksChanged made it forget.
    let started = Instant::now();
    let (t, c, token) = (&two, &chat, b.token.as_str());
    eventually(Duration::from_secs(2), "node two refuses b's send", move || async move {
        let res = t.post_authed("/message", token, json!({ "chatId": c, "text": "after" })).await;
        (res.status() == StatusCode::FORBIDDEN).then_some(())
    })
    .await;
    assert!(started.elapsed() < natter_app::blocks::FRESH_FOR);
    let unblock = two.api(&format!("/user/{}/block", b.user_id));
    assert_eq!(
        two.http.delete(&unblock).bearer_auth(&a.token).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (o, c) = (&one, &chat);
    eventually(Duration::from_secs(2), "node one lets b send again", move || async move {
        let res = o.post_authed("/message", token, json!({ "chatId": c, "text": "again" })).await;
        (res.status() == StatusCode::CREATED).then_some(())
    })
    .await;
}

/// A tab closed while its socket's handshake still waits on Redis (the handshake counts
/// the socket online there): socketioxide runs no disconnect handler for a socket whose
/// transport closed before the handshake ended, so the user stayed online for good.
/// Redis is frozen for the handshake's middle, shorter than its command timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_socket_closed_during_its_handshake_does_not_leave_its_user_online() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let redis = TestRedis::start().await;
    let data = Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await));
    let app = spawn_app_with(TestOptions {
        data_dir: Some(data),
        redis_url: Some(redis.url()),
        ..Default::default()
    })
    .await;
    let (a, b, _chat) = app.pair().await;
    let mut watcher = TestSocket::connect(&app, &a.token).await;

    let url = format!("{}/socket.io/?EIO=4&transport=websocket", app.url.replacen("http", "ws", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket upgrade");
    let open = ws.next().await.expect("open").expect("a frame");
    assert!(open.to_text().unwrap().starts_with('0'), "Engine.IO OPEN: {open:?}");
    redis.pause();
    ws.send(Message::text(format!("40{}", json!({ "token": b.token })))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(ws);
    tokio::time::sleep(Duration::from_millis(100)).await;
    redis.resume();

    // Online when the handshake went through, offline once its socket is gone.
    let offline = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let seen = watcher.collect("presence", Duration::from_millis(500)).await;
            if seen.iter().any(|p| p["userId"] == b.user_id.as_str() && p["online"] == false) {
                break;
            }
        }
    })
    .await;
    assert!(offline.is_ok(), "B is announced offline after the closed handshake");
    // And stays so: a new socket of A's is told nobody is online.
    let mut again = TestSocket::connect(&app, &a.token).await;
    assert_eq!(again.expect("getOnlineUser").await, json!([]));
}
