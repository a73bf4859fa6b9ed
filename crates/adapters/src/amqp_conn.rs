//! How the AMQP adapters reach RabbitMQ: one connection per node, opened again after
//! it is lost (lapin does not reconnect by itself), at a growing pace while the broker
//! stays away, with the topology declared on every connect. Errors never name the
//! URL: it may carry a password, and the caller says which setting it came from.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, Consumer};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::jobs::topology;

/// How long connecting (TCP, AMQP handshake, channel, topology) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the broker may take to confirm one publish before it counts as refused.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause after the first failed connect; it doubles with each failure after it.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause between two connects: a broker that is back is found within it.
const MAX_PAUSE: Duration = Duration::from_secs(5);

pub struct AmqpLink {
    url: String,
    state: Mutex<State>,
    /// The last connection is up, as far as anyone noticed (lapin's error callback
    /// clears it): what `/readyz` reads without waiting.
    up: Arc<AtomicBool>,
}

#[derive(Default)]
struct State {
    live: Option<Live>,
    /// Counts connections, so a failure seen on an old one does not drop a newer one.
    generation: u64,
    failures: u32,
    next_try: Option<Instant>,
}

#[derive(Clone)]
struct Live {
    generation: u64,
    conn: Arc<Connection>,
    /// In confirm mode: a publish returns once the broker has the message (persisted,
    /// for a durable queue).
    publish: Channel,
}

impl Live {
    fn usable(&self) -> bool {
        self.conn.status().connected() && self.publish.status().connected()
    }
}

impl AmqpLink {
    /// A link that connects on first use: a node starts while the broker is down (mail
    /// waits in the outbox), and `connected` says whether it reaches it now.
    pub fn new(url: &str) -> Arc<Self> {
        Arc::new(Self { url: url.to_owned(), state: Mutex::new(State::default()), up: Arc::default() })
    }

    pub fn connected(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Connect now if there is no connection (and the pace allows a try).
    pub async fn ready(&self) -> anyhow::Result<()> {
        self.live().await.map(drop)
    }

    /// Publish `body` to `queue` and wait for the broker's confirm. Mandatory: a queue
    /// that does not exist refuses it instead of dropping it.
    pub async fn publish(&self, queue: &str, body: &[u8], properties: BasicProperties) -> anyhow::Result<()> {
        let live = self.live().await?;
        let confirmed = async {
            let options = BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() };
            live.publish.basic_publish("", queue, options, body, properties).await?.await
        };
        let confirmation = match tokio::time::timeout(CONFIRM_TIMEOUT, confirmed).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                self.lost(&live).await;
                return Err(anyhow!(e).context("the broker did not take the message"));
            }
            Err(_) => {
                self.lost(&live).await;
                bail!("the broker did not confirm a message within {CONFIRM_TIMEOUT:?}");
            }
        };
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(_)) => bail!("the broker has no queue {queue} to route the message to"),
            Confirmation::Nack(_) => bail!("the broker refused the message (nack)"),
            Confirmation::NotRequested => bail!("the publish channel is not in confirm mode"),
        }
    }

    /// A consumer of `queue` on a channel of its own, at most `prefetch` unacknowledged
    /// deliveries at a time; acknowledged one by one (no auto-ack).
    pub async fn consume(&self, queue: &str, prefetch: u16) -> anyhow::Result<Consumer> {
        let live = self.live().await?;
        let consumer = async {
            let channel = live.conn.create_channel().await?;
            channel.basic_qos(prefetch, BasicQosOptions::default()).await?;
            channel.basic_consume(queue, "", BasicConsumeOptions::default(), FieldTable::default()).await
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, consumer).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => {
                self.lost(&live).await;
                Err(anyhow!(e).context("cannot consume from the broker"))
            }
            Err(_) => {
                self.lost(&live).await;
                bail!("the broker did not start a consumer within {CONNECT_TIMEOUT:?}")
            }
        }
    }

    /// Declare a queue with `arguments` on the publish channel (idempotent).
    pub async fn declare(&self, queue: &str, arguments: FieldTable) -> anyhow::Result<()> {
        let live = self.live().await?;
        match topology::declare_queue(&live.publish, queue, arguments).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.lost(&live).await;
                Err(anyhow!(e).context(format!("cannot declare the queue {queue}")))
            }
        }
    }

    /// An operation on `live` failed: the next use connects anew.
    async fn lost(&self, live: &Live) {
        let mut state = self.state.lock().await;
        // Only if nobody replaced it meanwhile.
        if state.live.as_ref().is_some_and(|l| l.generation == live.generation) {
            if let Some(old) = state.live.take() {
                close(old);
            }
            self.up.store(false, Ordering::Relaxed);
        }
    }

    async fn live(&self) -> anyhow::Result<Live> {
        let mut state = self.state.lock().await;
        if let Some(live) = state.live.as_ref().filter(|l| l.usable()) {
            return Ok(live.clone());
        }
        if let Some(old) = state.live.take() {
            tracing::warn!("the connection to the broker was lost; connecting again");
            close(old);
        }
        self.up.store(false, Ordering::Relaxed);
        if let Some(at) = state.next_try
            && Instant::now() < at
        {
            bail!("the broker is unreachable (the next try is in {:?})", at - Instant::now());
        }
        state.generation += 1;
        let generation = state.generation;
        match tokio::time::timeout(CONNECT_TIMEOUT, self.connect(generation))
            .await
            .unwrap_or_else(|_| Err(anyhow!("the broker did not answer within {CONNECT_TIMEOUT:?}")))
        {
            Ok(live) => {
                if state.failures > 0 {
                    tracing::info!(failures = state.failures, "connected to the broker again");
                }
                state.failures = 0;
                state.next_try = None;
                state.live = Some(live.clone());
                self.up.store(true, Ordering::Relaxed);
                Ok(live)
            }
            Err(e) => {
                state.failures += 1;
                let pause = FIRST_PAUSE.saturating_mul(1 << state.failures.min(8)).min(MAX_PAUSE);
                state.next_try = Some(Instant::now() + pause);
                if state.failures == 1 {
                    tracing::warn!(error = %format!("{e:#}"), "cannot reach the broker; trying again with growing pauses");
                }
                Err(e)
            }
        }
    }

    async fn connect(&self, generation: u64) -> anyhow::Result<Live> {
        let properties = ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio::current());
        // lapin's errors for a bad URL quote it: say what is wrong without it.
        let conn = Connection::connect(&self.url, properties)
            .await
            .map_err(|e| anyhow!("{}", describe(&e)))
            .context("cannot connect to the broker")?;
        let (up, mut events) = (self.up.clone(), conn.events_listener());
        tokio::spawn(async move {
            // Ends with the connection.
            while let Some(event) = events.next().await {
                if let lapin::Event::Error(e) = event {
                    up.store(false, Ordering::Relaxed);
                    tracing::warn!(error = %describe(&e), "the connection to the broker failed");
                }
            }
        });
        let publish = conn.create_channel().await.context("cannot open a channel on the broker")?;
        publish
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .context("cannot turn on publisher confirms")?;
        topology::declare(&publish).await.context("cannot declare the mail queues")?;
        Ok(Live { generation, conn: Arc::new(conn), publish })
    }
}

/// Close a connection that is no longer used, without waiting for it.
fn close(live: Live) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(CONNECT_TIMEOUT, live.conn.close(200, "natter reconnects")).await;
    });
}

/// An error of lapin's, without a URL in it.
fn describe(e: &lapin::Error) -> String {
    match e.kind() {
        lapin::ErrorKind::IOError(io) => format!("{io}"),
        lapin::ErrorKind::InvalidConnectionState(state) => format!("the connection is {state:?}"),
        lapin::ErrorKind::ProtocolError(p) => format!("{p}"),
        _ => format!("{e}"),
    }
}
