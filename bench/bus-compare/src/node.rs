//! One chat node. Clients emit `join` with a room name and `send` with
//! `{room, text, id}`; every member of the room, on any node, gets `message` with the
//! same object (the sender too: `within`, not `to`).
//!
//! * `adapter`: socketioxide-redis's `RedisAdapter`. `within(room).emit` publishes one
//!   msgpack request on `socket.io-request#/#` and then emits to the local members;
//!   the other nodes' adapters emit to theirs.
//! * `bus`: socketioxide's `LocalAdapter`, and natter's bus in small
//!   (`crates/adapters/src/bus/redis.rs`): the local members first, then one PUBLISH of
//!   `<node id>\n{"v":1,"event":…}` on `natter:bus:v1` through a `ConnectionManager`;
//!   one subscription per process re-emits the other nodes' events to its local room
//!   and skips its own. Publishes time out after 500 ms and, after a failure, fail at
//!   once for 250 ms; the subscription is retried every 250 ms while Redis is away.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use axum::serve::ListenerExt as _;
use futures_util::StreamExt as _;
use redis::AsyncCommands as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use socketioxide::SocketIo;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::{Data, SocketRef};
use socketioxide_redis::drivers::redis::redis_client as redis1;
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};

use crate::Variant;

/// natter's `REDIS_TIMEOUT` and `RECONNECT_AT_MOST_EVERY` (crates/adapters/src/redis_conn.rs).
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
const RETRY_EVERY: Duration = Duration::from_millis(250);
const CHANNEL: &str = "natter:bus:v1";
const BUS_VERSION: u16 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Msg {
    room: String,
    text: String,
    id: u64,
}

#[derive(Serialize, Deserialize)]
struct Envelope<M> {
    v: u16,
    event: M,
}

/// Counters printed once a second on stderr (when they moved).
#[derive(Default)]
struct Stats {
    sends: AtomicU64,
    /// `emit` returned an error (the adapter's publish, for `adapter`).
    emit_errors: AtomicU64,
    /// Events from other nodes emitted here (`bus`).
    bus_in: AtomicU64,
    /// Publishes that failed or were skipped while Redis was down (`bus`).
    publish_errors: AtomicU64,
    last_error: Mutex<Option<String>>,
}

static STATS: OnceLock<Stats> = OnceLock::new();
static BUS: OnceLock<Bus> = OnceLock::new();

fn stats() -> &'static Stats {
    STATS.get_or_init(Stats::default)
}

fn note_error(e: impl std::fmt::Display) {
    *stats().last_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e.to_string());
}

pub async fn run(variant: Variant, port: u16, redis_url: String) -> anyhow::Result<()> {
    let app: axum::Router = match variant {
        Variant::Adapter => {
            // The driver reads pub/sub messages as RESP3 pushes on its one connection.
            let url = if redis_url.contains("protocol=") {
                redis_url.clone()
            } else {
                format!("{redis_url}?protocol=resp3")
            };
            let client = redis1::Client::open(url)?;
            let ctr = RedisAdapterCtr::new_with_redis(&client).await?;
            let (layer, io) = SocketIo::builder().with_adapter::<RedisAdapter<_>>(ctr).build_layer();
            io.ns("/", on_connect::<RedisAdapter<_>>).await.map_err(|e| anyhow!("adapter init: {e:?}"))?;
            axum::Router::new().layer(layer)
        }
        Variant::Bus => {
            let (layer, io) = SocketIo::builder().build_layer();
            io.ns("/", on_connect::<LocalAdapter>);
            let client = redis::Client::open(redis_url.as_str())?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(REDIS_TIMEOUT)
                .set_response_timeout(REDIS_TIMEOUT)
                .set_number_of_retries(1)
                .set_max_delay(RETRY_EVERY.as_millis() as u64);
            let publisher = tokio::time::timeout(
                REDIS_TIMEOUT * 4,
                ConnectionManager::new_with_config(client.clone(), config),
            )
            .await
            .context("Redis did not answer")??;
            let node = node_id();
            let (first_tx, first_rx) = tokio::sync::oneshot::channel();
            tokio::spawn(subscribe_forever(client, node, io.clone(), first_tx));
            tokio::time::timeout(REDIS_TIMEOUT * 4, first_rx)
                .await
                .context("could not subscribe on Redis")??;
            let _ = BUS.set(Bus { node, publisher, publish_again_at: Mutex::new(None) });
            axum::Router::new().layer(layer)
        }
    };
    tokio::spawn(report(variant));
    // natter's server sets TCP_NODELAY on every connection too.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    eprintln!("node {variant:?} listening on 127.0.0.1:{port}");
    axum::serve(listener, app).await?;
    Ok(())
}

async fn on_connect<A: Adapter>(socket: SocketRef<A>) {
    socket.on("join", async |s: SocketRef<A>, Data(room): Data<String>| s.join(room));
    socket.on("send", on_send::<A>);
}

async fn on_send<A: Adapter>(socket: SocketRef<A>, Data(msg): Data<Msg>) {
    stats().sends.fetch_add(1, Ordering::Relaxed);
    // `adapter`: the publish to the other nodes, then the local members.
    // `bus`: the local members only (LocalAdapter).
    if let Err(e) = socket.within(msg.room.clone()).emit("message", &msg).await {
        stats().emit_errors.fetch_add(1, Ordering::Relaxed);
        note_error(format!("emit: {e}"));
    }
    if let Some(bus) = BUS.get() {
        if let Err(e) = bus.publish(&msg).await {
            stats().publish_errors.fetch_add(1, Ordering::Relaxed);
            note_error(format!("publish: {e}"));
        }
    }
}

struct Bus {
    node: u64,
    publisher: ConnectionManager,
    publish_again_at: Mutex<Option<Instant>>,
}

impl Bus {
    async fn publish(&self, msg: &Msg) -> anyhow::Result<()> {
        let mut frame = format!("{:016x}\n", self.node).into_bytes();
        serde_json::to_writer(&mut frame, &Envelope { v: BUS_VERSION, event: msg })?;
        let waiting = self
            .publish_again_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|t| Instant::now() < t);
        if waiting || !SUBSCRIBED.load(Ordering::Relaxed) {
            return Err(anyhow!("Redis is down; the other nodes catch up from the store"));
        }
        let mut conn = self.publisher.clone();
        let failed =
            match tokio::time::timeout(REDIS_TIMEOUT, conn.publish::<_, _, i64>(CHANNEL, frame)).await {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(e)) => anyhow!(e),
                Err(_) => anyhow!("Redis did not answer in time"),
            };
        *self.publish_again_at.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Instant::now() + RETRY_EVERY);
        Err(failed)
    }
}

/// Whether this node's subscription is in place (natter's `Bus::connected`).
static SUBSCRIBED: AtomicBool = AtomicBool::new(false);

fn node_id() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 40)
}

/// The node's one subscription: re-emits the other nodes' events to the local room,
/// and subscribes again whenever the connection drops.
async fn subscribe_forever(
    client: redis::Client,
    node: u64,
    io: SocketIo<LocalAdapter>,
    first: tokio::sync::oneshot::Sender<()>,
) {
    let mut first = Some(first);
    let own = format!("{node:016x}");
    loop {
        let attempt = async {
            let mut pubsub =
                tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub()).await.ok()?.ok()?;
            pubsub.subscribe(CHANNEL).await.ok()?;
            Some(pubsub)
        };
        if let Some(pubsub) = attempt.await {
            if let Some(tx) = first.take() {
                let _ = tx.send(());
            } else {
                eprintln!("bus: subscribed on Redis again; cross-node delivery resumes");
            }
            SUBSCRIBED.store(true, Ordering::Relaxed);
            let mut messages = pubsub.into_on_message();
            while let Some(m) = messages.next().await {
                let bytes = m.get_payload_bytes();
                let Some(split) = bytes.iter().position(|b| *b == b'\n') else {
                    continue;
                };
                if &bytes[..split] == own.as_bytes() {
                    continue;
                }
                match serde_json::from_slice::<Envelope<Msg>>(&bytes[split + 1..]) {
                    Ok(Envelope { v: BUS_VERSION, event }) => {
                        stats().bus_in.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = io.to(event.room.clone()).emit("message", &event).await {
                            note_error(format!("fan-out: {e}"));
                        }
                    }
                    Ok(_) => note_error("an envelope of another version"),
                    Err(e) => note_error(format!("undecodable frame: {e}")),
                }
            }
            SUBSCRIBED.store(false, Ordering::Relaxed);
            eprintln!("bus: lost the Redis subscription; serving this node's own sockets until it is back");
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}

async fn report(variant: Variant) {
    let start = Instant::now();
    let mut last = [0u64; 4];
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let s = stats();
        let now = [
            s.sends.load(Ordering::Relaxed),
            s.emit_errors.load(Ordering::Relaxed),
            s.bus_in.load(Ordering::Relaxed),
            s.publish_errors.load(Ordering::Relaxed),
        ];
        let err = s.last_error.lock().unwrap_or_else(PoisonError::into_inner).take();
        if now != last || err.is_some() {
            eprintln!(
                "t={:.0}s {variant:?} sends={} emit_errors={} bus_in={} publish_errors={} subscribed={} last_error={}",
                start.elapsed().as_secs_f64(),
                now[0],
                now[1],
                now[2],
                now[3],
                SUBSCRIBED.load(Ordering::Relaxed),
                err.unwrap_or_default()
            );
            last = now;
        }
    }
}
