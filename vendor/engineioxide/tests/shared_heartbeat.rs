//! natter's patch (`PATCH.md`): one heartbeat task per engine pings every socket and closes
//! the ones that stop answering, instead of a task per socket.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use engineioxide::{
    Str,
    config::EngineIoConfig,
    handler::EngineIoHandler,
    service::EngineIoService,
    socket::{DisconnectReason, Sid, Socket},
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

mod fixture;
use fixture::create_ws_connection;

#[derive(Debug)]
struct MyHandler {
    connect_tx: mpsc::UnboundedSender<Sid>,
    disconnect_tx: mpsc::UnboundedSender<(Sid, DisconnectReason)>,
}

impl EngineIoHandler for MyHandler {
    type Data = ();
    fn on_connect(self: Arc<Self>, socket: Arc<Socket<()>>) {
        self.connect_tx.send(socket.id).unwrap();
    }
    fn on_disconnect(&self, socket: Arc<Socket<()>>, reason: DisconnectReason) {
        self.disconnect_tx.send((socket.id, reason)).unwrap();
    }
    fn on_message(self: &Arc<Self>, _: Str, _: Arc<Socket<()>>) {}
    fn on_binary(self: &Arc<Self>, _: Bytes, _: Arc<Socket<()>>) {}
}

type Events<T> = mpsc::UnboundedReceiver<T>;

fn create_server(
    interval: Duration,
    timeout: Duration,
) -> (
    EngineIoService<MyHandler>,
    Events<Sid>,
    Events<(Sid, DisconnectReason)>,
) {
    let (connect_tx, connect_rx) = mpsc::unbounded_channel();
    let (disconnect_tx, disconnect_rx) = mpsc::unbounded_channel();
    let config = EngineIoConfig::builder()
        .ping_interval(interval)
        .ping_timeout(timeout)
        .build();
    let handler = MyHandler {
        connect_tx,
        disconnect_tx,
    };
    (
        EngineIoService::with_config(Arc::new(handler), config),
        connect_rx,
        disconnect_rx,
    )
}

/// Answers every `ping` with `answer` (both text packets), or stays silent; returns how
/// many pings came once the socket is closed or `for_how_long` has passed, and the
/// socket, still open if it was.
fn answer_pings<S>(
    mut ws: S,
    ping: &'static str,
    answer: Option<&'static str>,
    for_how_long: Duration,
) -> tokio::task::JoinHandle<(usize, S)>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures_util::Sink<Message>
        + Unpin
        + Send
        + 'static,
{
    tokio::spawn(async move {
        let mut pings = 0;
        let deadline = tokio::time::sleep(for_how_long);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return (pings, ws),
                msg = ws.next() => match msg {
                    Some(Ok(Message::Text(text))) if text.as_str() == ping => {
                        pings += 1;
                        if let Some(answer) = answer {
                            ws.send(Message::text(answer)).await.ok();
                        }
                    }
                    Some(Ok(Message::Text(open))) if open.as_str().starts_with('0') => {}
                    // Anything else is the close packet: stop before tungstenite answers
                    // the end of the stream (the fixture's stream panics on a write then).
                    _ => return (pings, ws),
                },
            }
        }
    })
}

#[tokio::test]
async fn sockets_that_answer_are_pinged_each_interval_and_a_silent_one_is_closed() {
    let interval = Duration::from_millis(50);
    let (mut svc, mut connects, mut disconnects) = create_server(interval, interval);
    let watch = Duration::from_millis(500);

    let mut answering = Vec::new();
    for _ in 0..3 {
        let ws = create_ws_connection(&mut svc).await;
        connects.recv().await.unwrap();
        answering.push(answer_pings(ws, "2", Some("3"), watch));
    }
    let silent_ws = create_ws_connection(&mut svc).await;
    let silent = connects.recv().await.unwrap();
    let silent_pings = answer_pings(silent_ws, "2", None, watch);

    // The silent socket: its first ping, then its timeout (50 ms), each up to a tick late.
    let (sid, reason) = tokio::time::timeout(Duration::from_millis(300), disconnects.recv())
        .await
        .expect("the silent socket was not closed")
        .unwrap();
    assert_eq!((sid, reason), (silent, DisconnectReason::HeartbeatTimeout));
    assert_eq!(
        silent_pings.await.unwrap().0,
        1,
        "a socket waiting for a pong is not pinged again"
    );

    let mut open = Vec::new();
    for task in answering {
        let (pings, ws) = task.await.unwrap();
        open.push(ws);
        // 500 ms at a ping every 50 ms: ~10, give or take the first one and a tick each.
        assert!((8..=11).contains(&pings), "{pings} pings in {watch:?}");
    }
    assert!(
        disconnects.try_recv().is_err(),
        "a socket that answered was closed"
    );
}

#[tokio::test]
async fn the_heartbeat_of_one_engine_does_not_ping_the_sockets_of_another() {
    let interval = Duration::from_millis(40);
    let (mut fast, mut fast_connects, mut fast_disconnects) = create_server(interval, interval);
    let (mut slow, mut slow_connects, _slow_disconnects) =
        create_server(Duration::from_secs(60), Duration::from_secs(60));

    let slow_ws = create_ws_connection(&mut slow).await;
    slow_connects.recv().await.unwrap();
    let fast_ws = create_ws_connection(&mut fast).await;
    fast_connects.recv().await.unwrap();

    let watch = Duration::from_millis(300);
    let slow_pings = answer_pings(slow_ws, "2", None, watch);
    let fast_pings = answer_pings(fast_ws, "2", None, watch);
    assert_eq!(
        slow_pings.await.unwrap().0,
        1,
        "only the first ping, at once"
    );
    assert_eq!(fast_pings.await.unwrap().0, 1);
    let (_, reason) = fast_disconnects.try_recv().expect("the fast one timed out");
    assert_eq!(reason, DisconnectReason::HeartbeatTimeout);
}

/// v3: the client pings, the server answers at once, and closes a client that stops.
#[cfg(feature = "v3")]
#[tokio::test]
async fn v3_pings_of_the_client_are_answered_and_its_silence_closes_it() {
    use fixture::create_ws_connection_v3;

    let interval = Duration::from_millis(40);
    let (mut svc, mut connects, mut disconnects) = create_server(interval, interval);
    let mut ws = create_ws_connection_v3(&mut svc).await;
    let sid = connects.recv().await.unwrap();
    ws.next().await.unwrap().unwrap(); // the open packet

    for _ in 0..5 {
        tokio::time::sleep(interval).await;
        ws.send(Message::text("2")).await.unwrap();
        let pong = ws.next().await.unwrap().unwrap();
        assert_eq!(pong, Message::text("3"));
    }
    assert!(
        disconnects.try_recv().is_err(),
        "a pinging client was closed"
    );

    // No ping within interval + timeout (80 ms), up to a tick late.
    let (closed, reason) = tokio::time::timeout(Duration::from_millis(200), disconnects.recv())
        .await
        .expect("the silent v3 client was not closed")
        .unwrap();
    assert_eq!((closed, reason), (sid, DisconnectReason::HeartbeatTimeout));
}
