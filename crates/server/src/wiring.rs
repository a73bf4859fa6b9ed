//! The only place that names concrete backends: configuration in, ports out.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use natter_adapters::bus::{MemoryBus, RedisBus};
use natter_adapters::clock::SystemClock;
use natter_adapters::jobs::{AmqpJobs, AmqpLink, AmqpRelay, StoreJobs};
use natter_adapters::limiter::{LocalWhileDown, MemoryLimiter, RedisLimiter};
use natter_adapters::mailer::{ConsoleMailer, SmtpMailer};
use natter_adapters::media::ObjectMedia;
use natter_adapters::presence::{MemoryPresence, RedisPresence};
use natter_app::health::Probe;
use natter_domain::bus::Bus;
use natter_domain::ports::{Clock, DevMailbox, Jobs, Limiter, Mailer, Media, Presence, Store};
use natter_store_postgres::PgStore;
use natter_store_sqlite::SqliteStore;
use rand::RngCore;
use tokio::sync::Notify;

use crate::config::{MailerChoice, MediaChoice, Settings, StoreChoice};

pub struct Ports {
    pub store: Arc<dyn Store>,
    /// Logins, verifies, invitations: refused while it cannot answer.
    pub limiter: Arc<dyn Limiter>,
    /// Sends: limited by this node alone while the shared limiter cannot answer.
    pub send_limiter: Arc<dyn Limiter>,
    pub mailer: Arc<dyn Mailer>,
    pub mailbox: Option<Arc<dyn DevMailbox>>,
    pub clock: Arc<dyn Clock>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
    pub jobs: Arc<dyn Jobs>,
    /// What the use-cases notify after they queued a job in the outbox.
    pub outbox_wake: Arc<Notify>,
    /// What the mail worker waits on besides its poll: the outbox's wake, or with a
    /// broker, a delivery.
    pub jobs_wake: Arc<Notify>,
    /// With a broker: the relay from the outbox to it (run by every node that queues
    /// or delivers mail), and the link, for `/readyz`.
    pub relay: Option<AmqpRelay>,
    pub broker: Option<Arc<AmqpLink>>,
    pub media: Arc<dyn Media>,
    /// Whether the media storage answers, for `/readyz`: only S3 can be down.
    pub media_probe: Option<Probe>,
}

/// How many bus events a slow subscriber may fall behind before it must catch up.
const BUS_CAPACITY: usize = 16 * 1024;

/// `presence_expiry`: how long a node may be silent before its users go offline.
pub async fn ports(
    settings: &Settings,
    clock: Option<Arc<dyn Clock>>,
    presence_expiry: Duration,
) -> anyhow::Result<Ports> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let store: Arc<dyn Store> = match settings.store() {
        StoreChoice::Sqlite => Arc::new(SqliteStore::open(&settings.database_url).await?),
        StoreChoice::Postgres => Arc::new(PgStore::open(&settings.database_url).await?),
    };
    let (mailer, mailbox): (Arc<dyn Mailer>, Option<Arc<dyn DevMailbox>>) = match settings.mailer() {
        MailerChoice::Console => {
            let console = Arc::new(ConsoleMailer::new(clock.clone()));
            (console.clone(), Some(console))
        }
        MailerChoice::Smtp => {
            let url = settings.smtp_url.as_ref().map(|s| s.expose()).unwrap_or_default();
            (Arc::new(SmtpMailer::new(url, &settings.mail_from)?), None)
        }
    };
    let (media, media_probe): (Arc<dyn Media>, Option<Probe>) = match &settings.media {
        MediaChoice::Folder(root) => (Arc::new(ObjectMedia::folder(root)?), None),
        MediaChoice::S3 { bucket, prefix } => {
            let s3 = Arc::new(ObjectMedia::s3(bucket, prefix, &settings.aws.0).context("NATTER_MEDIA_URL")?);
            (s3.clone(), Some(Arc::new(move || s3.reachable())))
        }
    };
    let (bus, limiter, presence): (Arc<dyn Bus>, Arc<dyn Limiter>, Arc<dyn Presence>) =
        match settings.redis_for_roles() {
            Some(url) => (
                Arc::new(
                    RedisBus::connect(url.expose(), BUS_CAPACITY)
                        .await
                        .context("NATTER_REDIS_URL: the bus across nodes cannot start")?,
                ),
                Arc::new(
                    RedisLimiter::connect(url.expose())
                        .await
                        .context("NATTER_REDIS_URL: the shared rate limits cannot start")?,
                ),
                Arc::new(
                    RedisPresence::connect(url.expose(), clock.clone(), presence_expiry)
                        .await
                        .context("NATTER_REDIS_URL: presence across nodes cannot start")?,
                ),
            ),
            None => (
                Arc::new(MemoryBus::new(BUS_CAPACITY)),
                Arc::new(MemoryLimiter::new()),
                Arc::new(MemoryPresence::default()),
            ),
        };
    let outbox_wake = Arc::new(Notify::new());
    // Mail jobs come from the store's outbox table, or with a broker, from its queue,
    // relayed there from the outbox. The relay runs where mail is queued (api: a
    // login's wake relays it at once) and where it is delivered (mail: it also picks up
    // what a node that died left in the outbox); a realtime-only node neither queues
    // nor delivers mail and does not connect to the broker.
    let broker = match &settings.amqp_url {
        Some(url) if settings.roles.api || settings.roles.mail => Some(AmqpLink::new(url.expose())),
        _ => None,
    };
    let (jobs, jobs_wake): (Arc<dyn Jobs>, Arc<Notify>) = match &broker {
        Some(link) if settings.roles.mail => {
            let wake = Arc::new(Notify::new());
            (AmqpJobs::start(link.clone(), store.clone(), wake.clone()), wake)
        }
        _ => (Arc::new(StoreJobs::new(store.clone())), outbox_wake.clone()),
    };
    let relay = broker
        .as_ref()
        .map(|link| AmqpRelay::new(link.clone(), store.clone(), clock.clone(), outbox_wake.clone()));
    Ok(Ports {
        store,
        send_limiter: Arc::new(LocalWhileDown::new(limiter.clone())),
        limiter,
        mailer,
        mailbox,
        clock,
        bus,
        presence,
        jobs,
        outbox_wake,
        jobs_wake,
        relay,
        broker,
        media,
        media_probe,
    })
}

/// The master secret of this deployment, generated on first start and kept in the
/// data directory (readable by its owner only).
pub fn master_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join(crate::config::SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).with_context(|| {
                format!("{} is corrupt; delete it to log everyone out and start afresh", path.display())
            })?;
            anyhow::ensure!(
                bytes.len() >= 32,
                "{} is too short; delete it to generate a new one",
                path.display()
            );
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
            let mut bytes = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            write_private(&path, hex::encode(&bytes).as_bytes())?;
            Ok(bytes)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot create {}", path.display()))
}
