//! The natter binary as a library: `Application::build` binds first and exposes the
//! port, so tests start the real server on port 0.

pub mod admin;
pub mod config;
pub mod migrate;
mod wiring;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use natter_adapters::jobs::AmqpRelay;
use natter_app::auth::{AuthPolicy, AuthService};
use natter_app::blocks::BlockService;
use natter_app::chats::ChatService;
use natter_app::connections::{Connections, SocketCaps};
use natter_app::feed_sweeper::{Confirmations, ConfirmingBus, FeedSweeper};
use natter_app::health::Health;
use natter_app::job_seal::JobSeal;
use natter_app::jobs::{JobTargets, JobWorker, RetryPolicy};
use natter_app::last_seen::LastSeenService;
use natter_app::media::MediaService;
use natter_app::media_links::MediaLinks;
use natter_app::messages::{MessageService, SendLimits};
use natter_app::metrics::{Metrics, MetricsReport};
use natter_app::presence::PresenceService;
use natter_app::push::{EndpointPolicy, PushService, VapidKey};
use natter_app::secrets::Secrets;
use natter_app::session_cookie::SessionCookie;
use natter_app::settings::SettingsService;
use natter_app::signup::InviteService;
use natter_app::unread_mail::UnreadMailer;
use natter_app::users::UserService;
use natter_domain::bus::Bus;
use natter_domain::ports::{Clock, PRESENCE_BEAT, PRESENCE_EXPIRY, Rate};
use natter_http::{AppState, Origins, Surface};
use natter_realtime::{Handshake, RealtimeState, TypingTimers};
use socketioxide::SocketIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use config::{RawConfig, Settings};

/// Test seams: the rules' numbers and the clock. Production uses the defaults.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub auth_policy: Option<AuthPolicy>,
    pub retry_policy: Option<RetryPolicy>,
    /// How fast one user may send messages.
    pub send_rates: Option<Vec<Rate>>,
    /// How long a typing indicator lives without a refresh.
    pub typing_ttl: Option<Duration>,
    /// Another bus, for tests that make it fail.
    pub bus: Option<Arc<dyn Bus>>,
    /// Open sockets per user and per address.
    pub socket_caps: Option<SocketCaps>,
    /// How often this node beats for presence, and when a silent node counts as dead.
    pub presence_beat: Option<Duration>,
    pub presence_expiry: Option<Duration>,
}

const TYPING_TTL: Duration = Duration::from_secs(5);
/// How long a node whose fan-out or mail worker died keeps answering `/readyz` with
/// 503 before it exits.
const FAILED_NODE_DRAIN: Duration = Duration::from_secs(2);
/// Concurrent image decodes: one per core of the small box natter targets.
const CONCURRENT_DECODES: usize = 2;

pub struct Application {
    listener: TcpListener,
    /// `/metrics` on a listener of its own (`NATTER_METRICS_LISTEN`).
    metrics_server: Option<(TcpListener, axum::Router)>,
    router: axum::Router,
    mail_worker: Option<JobWorker>,
    /// With the mail role: queues the still-unread mails.
    unread_mailer: Option<UnreadMailer>,
    /// With a broker: moves the outbox to it.
    relay: Option<AmqpRelay>,
    /// The Socket.IO handle and the bus it fans out from, with the realtime role.
    realtime: Option<(SocketIo, RealtimeState)>,
    presence_beat: Duration,
    /// With a bus that spans nodes: what confirms published feed rows and publishes
    /// the ones a dead node could not.
    feed_safety: Option<(Confirmations, FeedSweeper)>,
    /// Remembers who blocked whom; hears of changes on every node.
    blocks: Arc<BlockService>,
    settings: Settings,
    console_mailer: bool,
    health: Arc<Health>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Overrides::default()).await
    }

    pub async fn build_with(settings: Settings, overrides: Overrides) -> anyhow::Result<Self> {
        let presence_expiry = overrides.presence_expiry.unwrap_or(PRESENCE_EXPIRY);
        let mut ports = wiring::ports(&settings, overrides.clock, presence_expiry).await?;
        if let Some(bus) = overrides.bus {
            ports.bus = bus;
        }
        let feed_safety = ports.bus.spans_nodes().then(|| {
            let (bus, confirmations) =
                ConfirmingBus::new(ports.bus.clone(), ports.store.clone(), ports.clock.clone());
            ports.bus = bus;
            (confirmations, FeedSweeper::new(ports.store.clone(), ports.bus.clone(), ports.clock.clone()))
        });
        let secrets = Secrets::derive(&match &settings.secret {
            Some(s) => s.bytes().to_vec(),
            None => wiring::master_secret(&settings.data_dir)?,
        });
        let store = ports.store.clone();
        let clock = ports.clock.clone();
        let auth = Arc::new(AuthService::new(
            store.clone(),
            ports.limiter.clone(),
            clock.clone(),
            ports.bus.clone(),
            &secrets,
            overrides.auth_policy.unwrap_or_default(),
            settings.signup.clone(),
            ports.outbox_wake.clone(),
        ));
        let blocks = Arc::new(BlockService::new(store.clone(), ports.bus.clone(), clock.clone()));
        let last_seen = Arc::new(LastSeenService::new(store.clone(), ports.presence.clone(), blocks.clone()));
        let chats = Arc::new(ChatService::new(
            store.clone(),
            ports.bus.clone(),
            clock.clone(),
            ports.send_limiter.clone(),
            blocks.clone(),
            last_seen.clone(),
        ));
        let links = Arc::new(MediaLinks::new(&settings.public_origin(), secrets.media_key, clock.clone()));
        let media =
            Arc::new(MediaService::new(ports.media.clone(), chats.clone(), links, CONCURRENT_DECODES));
        let messages = Arc::new(MessageService::new(
            store.clone(),
            ports.bus.clone(),
            clock.clone(),
            chats.clone(),
            media.clone(),
            SendLimits {
                limiter: ports.send_limiter.clone(),
                rates: overrides.send_rates.unwrap_or_else(|| natter_app::messages::SEND_RATES.to_vec()),
            },
            JobSeal::new(&secrets.job_key),
        ));
        let vapid = VapidKey::derive(&secrets.vapid_seed);
        let pusher = Arc::new(natter_adapters::push::WebPusher::new(
            &vapid.private,
            settings.push_contact(),
            settings.push_allow.clone(),
        )?);
        let push = Arc::new(PushService::new(
            store.clone(),
            ports.limiter.clone(),
            clock.clone(),
            EndpointPolicy::new(settings.push_allow.clone()),
            vapid.public.clone(),
        ));
        let mut health = Health::new(store.clone());
        if settings.redis_for_roles().is_some() {
            let bus = ports.bus.clone();
            health = health.with_probe("redis", Arc::new(move || bus.connected()));
        }
        // Only the api role reads and writes media.
        if let Some(probe) = ports.media_probe.clone().filter(|_| settings.roles.api) {
            health = health.with_probe("media", probe);
        }
        // The mail role cannot deliver without the broker; an api node can (its logins
        // wait in the outbox), so only the mail role is not ready while it is away.
        if let Some(link) = ports.broker.clone().filter(|_| settings.roles.mail) {
            health = health.with_probe("amqp", Arc::new(move || link.connected()));
        }
        let health = Arc::new(health);
        let origins = Arc::new(Origins::new(&settings.public_origin(), &settings.allowed_origins));
        let session_cookie = SessionCookie::for_public_url(settings.public_url.scheme() == "https");
        let metrics = Metrics::new();
        let connections =
            settings.roles.realtime.then(|| Connections::new(overrides.socket_caps.unwrap_or_default()));
        let report =
            Arc::new(MetricsReport::new(metrics.clone(), store.clone(), clock.clone(), connections.clone()));
        let metrics_listener = match settings.metrics_listen {
            Some(addr) => Some(listen(addr).with_context(|| {
                format!("cannot listen on {addr}; set NATTER_METRICS_LISTEN to a free address")
            })?),
            None => None,
        };
        let state = AppState {
            auth: auth.clone(),
            users: Arc::new(UserService::new(store.clone(), clock.clone(), last_seen.clone())),
            settings: Arc::new(SettingsService::new(
                store.clone(),
                ports.presence.clone(),
                ports.bus.clone(),
                clock.clone(),
            )),
            blocks: blocks.clone(),
            invites: Arc::new(InviteService::new(store.clone(), ports.limiter.clone(), clock.clone())),
            chats: chats.clone(),
            messages: messages.clone(),
            push,
            media,
            health: health.clone(),
            mailbox: ports.mailbox.clone(),
            origins: origins.clone(),
            session_cookie,
            metrics: metrics.clone(),
            metrics_report: metrics_listener.is_none().then(|| report.clone()),
        };
        let mut router =
            natter_http::router(state, Surface { api: settings.roles.api, mail: settings.roles.mail });
        let mut realtime = None;
        if let Some(connections) = connections {
            let rt = RealtimeState {
                auth,
                chats,
                messages,
                presence: Arc::new(PresenceService::new(
                    store.clone(),
                    ports.presence.clone(),
                    ports.bus.clone(),
                    clock.clone(),
                    blocks.clone(),
                    last_seen.clone(),
                )),
                bus: ports.bus.clone(),
                handshake: Handshake {
                    origins: origins.clone(),
                    session_cookie,
                    connections,
                    clock: clock.clone(),
                },
                typing: Arc::new(TypingTimers::new(
                    ports.bus.clone(),
                    overrides.typing_ttl.unwrap_or(TYPING_TTL),
                )),
                metrics: metrics.clone(),
            };
            let (layer, io) = natter_realtime::layer(rt.clone());
            // Outside the Socket.IO layer, so what socketioxide keeps is the copy.
            router = router.layer(layer).layer(axum::middleware::map_request(detach_socketio_head));
            realtime = Some((io, rt));
        }
        // Outside Socket.IO too: CORS and the security headers cover its answers.
        let router = natter_http::edge(router, origins, Arc::new(settings.trusted_proxies.clone()));
        let mail_worker = settings.roles.mail.then(|| {
            JobWorker::new(
                ports.jobs.clone(),
                JobTargets {
                    mailer: ports.mailer.clone(),
                    pusher,
                    store: store.clone(),
                    outbox_wake: ports.outbox_wake.clone(),
                },
                ports.clock.clone(),
                ports.jobs_wake.clone(),
                JobSeal::new(&secrets.job_key),
                metrics.clone(),
                overrides.retry_policy.unwrap_or_default(),
            )
        });
        let unread_mailer = settings.roles.mail.then(|| {
            UnreadMailer::new(
                store.clone(),
                clock.clone(),
                JobSeal::new(&secrets.job_key),
                ports.outbox_wake.clone(),
                settings.public_origin(),
                settings.unread_mail_delay,
            )
        });
        let listener = listen(settings.listen).with_context(|| {
            format!("cannot listen on {}; set NATTER_LISTEN to a free address", settings.listen)
        })?;
        let metrics_server = metrics_listener.map(|l| (l, natter_http::metrics_router(report)));
        Ok(Self {
            listener,
            metrics_server,
            router,
            mail_worker,
            unread_mailer,
            relay: ports.relay,
            realtime,
            feed_safety,
            blocks,
            presence_beat: overrides.presence_beat.unwrap_or(PRESENCE_BEAT),
            console_mailer: ports.mailbox.is_some(),
            settings,
            health,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The metrics listener's address, when it has one of its own.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_server.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serve until `shutdown` resolves, then finish in-flight requests and deliveries.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.local_addr()?;
        self.announce(addr);
        let stop = CancellationToken::new();
        // The workers this node cannot do without. One that ends before `stop` (it
        // panicked, or its bus closed) leaves the node unable to deliver: it stops being
        // ready at once, then shuts down and exits with an error, so an orchestrator
        // replaces it instead of routing users to a node that silently drops messages.
        let mut workers: JoinSet<&'static str> = JoinSet::new();
        if let Some(w) = self.mail_worker {
            let stop = stop.clone();
            workers.spawn(async move {
                w.run(stop.cancelled_owned()).await;
                "the job worker"
            });
        }
        // Not a worker the node needs: without it no still-unread mail goes out, and
        // chat goes on (another mail node's looks for the same users).
        if let Some(u) = self.unread_mailer {
            tokio::spawn(u.run(stop.clone().cancelled_owned()));
        }
        let io = self.realtime.as_ref().map(|(io, _)| io.clone());
        // Not a worker the node needs either: without beats, this node's users go
        // offline for the other nodes, and chat goes on.
        if let Some((_, rt)) = &self.realtime {
            tokio::spawn(rt.presence.clone().beat_every(self.presence_beat, stop.clone().cancelled_owned()));
        }
        if let Some((io, rt)) = self.realtime {
            let stop = stop.clone();
            workers.spawn(async move {
                tokio::select! {
                    () = natter_realtime::run_fanout(io, rt) => {}
                    () = stop.cancelled() => {}
                }
                "the fan-out"
            });
        }
        // Not a worker the node needs: without it mail waits in the outbox (and the
        // relay of any other node takes it), as it does while the broker is away.
        if let Some(relay) = self.relay {
            tokio::spawn(relay.run(stop.clone().cancelled_owned()));
        }
        // Not a worker the node needs: without it a block made on another node holds
        // here within `blocks::FRESH_FOR`.
        tokio::spawn(self.blocks.clone().follow(stop.clone().cancelled_owned()));
        // Not workers the node needs: without them a row of a node that died is late
        // (clients catch up), and confirmations end only with the bus.
        if let Some((confirmations, sweeper)) = self.feed_safety {
            tokio::spawn(confirmations.run());
            tokio::spawn(sweeper.run(stop.clone().cancelled_owned()));
        }
        // Not a worker the node needs: if it fails, chat goes on (and the scrape fails).
        if let Some((listener, router)) = self.metrics_server {
            let stop = stop.clone();
            tokio::spawn(async move {
                let served =
                    axum::serve(listener, router).with_graceful_shutdown(stop.cancelled_owned()).await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the metrics listener failed");
                }
            });
        }
        let failure = Arc::new(std::sync::Mutex::new(None::<String>));
        let supervisor = {
            let (stop, health, failure) = (stop.clone(), self.health.clone(), failure.clone());
            tokio::spawn(async move {
                while let Some(ended) = workers.join_next().await {
                    if stop.is_cancelled() {
                        continue;
                    }
                    let what = match ended {
                        Ok(what) => format!("{what} stopped"),
                        Err(e) if e.is_panic() => "a worker panicked".to_owned(),
                        Err(_) => "a worker was cancelled".to_owned(),
                    };
                    tracing::error!("{what}; this node is no longer ready and shuts down");
                    health.fail("a worker");
                    failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(what);
                    // Long enough for a load balancer polling /readyz to see it go.
                    tokio::time::sleep(FAILED_NODE_DRAIN).await;
                    stop.cancel();
                }
            })
        };
        // Chat frames are small and latency-bound: send them now, not when Nagle's
        // algorithm and the peer's delayed ACK agree.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let serve_stop = stop.clone();
        let server = axum::serve(listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                tokio::select! {
                    () = shutdown => {}
                    () = serve_stop.cancelled() => {}
                }
                // Open sockets would hold a graceful shutdown forever: close them.
                if let Some(io) = io {
                    io.close().await;
                }
            });
        let result = server.await.context("the HTTP server failed");
        stop.cancel();
        let _ = supervisor.await;
        tracing::info!("stopped");
        if let Some(what) = failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            anyhow::bail!("{what}: this node could not go on");
        }
        result
    }

    fn announce(&self, addr: SocketAddr) {
        let s = &self.settings;
        tracing::info!(roles = %s.roles, data_dir = %s.data_dir.display(), "natter listening on http://{addr}");
        println!("natter is listening on http://{addr} (open {})", s.public_url);
        if self.console_mailer && s.roles.mail {
            println!(
                "login codes are printed here and listed at {}dev/mailbox (set NATTER_SMTP_URL to send real mail)",
                s.public_url
            );
            if !addr.ip().is_loopback() {
                tracing::warn!(
                    "listening beyond loopback WITHOUT a mail server: anyone who can reach {addr} can read \
                     every login code at /dev/mailbox. Set NATTER_SMTP_URL before letting others in."
                );
            }
        }
    }
}

/// Clients that reconnect together (a restart, a network blip) arrive together:
/// tokio's default backlog of 128 overflowed at a few hundred at once, and each
/// overflowed client waits a SYN retry (1 s, then 3 s) before trying again. The
/// kernel caps this at `net.core.somaxconn`.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Socket.IO keeps each session's request head (`http::request::Parts`) for as long as the
/// socket lives. hyper parses the URI and header values as zero-copy slices of the
/// connection's HTTP/1 read buffer, and axum's router adds an `OriginalUri` extension that
/// is one more such slice, so a kept head pins that whole buffer (8-16 KiB) per socket after
/// the upgrade. Give Socket.IO requests a head of their own allocations instead; copying the
/// URI and headers alone is not enough, the `OriginalUri` has to go too.
async fn detach_socketio_head(mut req: axum::extract::Request) -> axum::extract::Request {
    use axum::extract::OriginalUri;
    use axum::http::{HeaderValue, Uri};

    fn copy_uri(uri: &Uri) -> Uri {
        uri.to_string().parse().unwrap_or_else(|_| uri.clone())
    }
    if !req.uri().path().starts_with("/socket.io") {
        return req;
    }
    let uri = copy_uri(req.uri());
    *req.uri_mut() = uri;
    if let Some(OriginalUri(original)) = req.extensions_mut().get_mut::<OriginalUri>() {
        *original = copy_uri(original);
    }
    for value in req.headers_mut().values_mut() {
        if let Ok(mut copy) = HeaderValue::from_bytes(value.as_bytes()) {
            copy.set_sensitive(value.is_sensitive());
            *value = copy;
        }
    }
    req
}
