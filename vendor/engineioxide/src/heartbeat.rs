//! The heartbeat of all the sockets of an engine, kept by one task per engine rather than
//! one task per socket (natter's patch, see `PATCH.md`).
//!
//! * v4: the server pings each socket every `ping_interval`, the first time at the task's
//!   next look once the socket is open, and closes it if the pong does not come within
//!   `ping_timeout`.
//! * v3: the client pings, the server answers at once, and closes the socket if no ping
//!   comes within `ping_interval + ping_timeout`.
//!
//! (Without the `v3` feature no socket speaks v3, as before.)
//!
//! Each socket keeps its two instants in atomics ([`Heartbeat`]). The engine's task wakes
//! every [`tick`] and acts on the instants that have passed, so a ping or a timeout is at
//! most one tick late. A socket costs two words instead of a task, its timer and a channel.
use std::{
    sync::{
        Arc, OnceLock, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use engineioxide_core::{Packet, ProtocolVersion};
use smallvec::smallvec;
use tokio::time::{Instant, MissedTickBehavior};

use crate::{
    DisconnectReason, Socket, config::EngineIoConfig, engine::EngineIo, handler::EngineIoHandler,
};

/// No instant: the heartbeat has not started, or nothing is awaited.
const NEVER: u64 = u64::MAX;

/// A socket's heartbeat, in milliseconds since [`epoch`].
#[derive(Debug)]
pub(crate) struct Heartbeat {
    /// When to send the next ping (v4 only).
    next_ping: AtomicU64,
    /// When to give up on the client: the pong of the last ping (v4) or its next ping (v3).
    deadline: AtomicU64,
}

impl Heartbeat {
    pub(crate) fn new() -> Self {
        Self {
            next_ping: AtomicU64::new(NEVER),
            deadline: AtomicU64::new(NEVER),
        }
    }
}

/// How often the engine's heartbeat task looks at its sockets: a tenth of the shorter of
/// the two durations, between 1 ms and 1 s.
fn tick(config: &EngineIoConfig) -> Duration {
    (config.ping_interval.min(config.ping_timeout) / 10)
        .clamp(Duration::from_millis(1), Duration::from_secs(1))
}

/// The instants are kept in tokio's clock, so that a test with a paused clock drives them.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(NEVER - 1)
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(NEVER / 4)
}

impl<D: Default + Send + Sync + 'static> Socket<D> {
    /// Called for each ping (v3) or pong (v4) that the client sends.
    pub(crate) fn heartbeat_received(&self, config: &EngineIoConfig) {
        match self.protocol {
            ProtocolVersion::V4 => self.heartbeat.deadline.store(NEVER, Ordering::Release),
            ProtocolVersion::V3 => {
                let deadline = now_ms() + ms(config.ping_interval + config.ping_timeout);
                self.heartbeat.deadline.store(deadline, Ordering::Release);
                if self.internal_tx.try_send(smallvec![Packet::Pong]).is_err() {
                    self.close(DisconnectReason::HeartbeatTimeout);
                }
            }
        }
    }

    /// Acts on this socket's heartbeat at `now`; returns false when the socket is to be
    /// closed for a heartbeat timeout.
    fn beat(&self, now: u64, config: &EngineIoConfig) -> bool {
        let heartbeat = &self.heartbeat;
        let deadline = heartbeat.deadline.load(Ordering::Acquire);
        if now >= deadline {
            return false;
        }
        let next_ping = heartbeat.next_ping.load(Ordering::Relaxed);
        if deadline != NEVER || now < next_ping {
            return true;
        }
        // The next ping is always after `now`, however late this tick is.
        let after = (next_ping + ms(config.ping_interval)).max(now + 1);
        heartbeat.next_ping.store(after, Ordering::Relaxed);
        // The heartbeat pauses while the socket upgrades its transport.
        if self.is_upgrading() {
            return true;
        }
        // The deadline is stored before the ping leaves, so that its pong cannot come first.
        heartbeat
            .deadline
            .store(now + ms(config.ping_timeout), Ordering::Release);
        self.internal_tx.try_send(smallvec![Packet::Ping]).is_ok()
    }
}

impl<H: EngineIoHandler> EngineIo<H> {
    /// Starts the heartbeat of a socket whose open packet is sent, and the engine's
    /// heartbeat task with its first socket.
    pub(crate) fn start_heartbeat(self: &Arc<Self>, socket: &Socket<H::Data>) {
        self.heartbeat_task.get_or_init(|| {
            tokio::spawn(heartbeat_task(Arc::downgrade(self), tick(&self.config)));
        });
        let now = now_ms();
        let heartbeat = &socket.heartbeat;
        match socket.protocol {
            // The first ping leaves with the task's next look, as it left when the task of
            // each socket first ran: never before the open packet.
            ProtocolVersion::V4 => heartbeat.next_ping.store(now, Ordering::Relaxed),
            ProtocolVersion::V3 => {
                let deadline = now + ms(self.config.ping_interval + self.config.ping_timeout);
                heartbeat.deadline.store(deadline, Ordering::Release);
            }
        }
    }

    /// One look at every socket: pings those due, closes those that did not answer.
    fn beat(&self) {
        let now = now_ms();
        let timed_out: Vec<_> = {
            let sockets = self.sockets.read().unwrap();
            sockets
                .values()
                .filter(|socket| !socket.beat(now, &self.config))
                .cloned()
                .collect()
        };
        // Closing takes the map's write lock, so it waits until the look is done.
        for socket in timed_out {
            socket.close(DisconnectReason::HeartbeatTimeout);
        }
    }
}

/// Runs as long as its engine, which it does not keep alive.
async fn heartbeat_task<H: EngineIoHandler>(engine: Weak<EngineIo<H>>, tick: Duration) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(engine) = engine.upgrade() else {
            return;
        };
        engine.beat();
    }
}
