//! Configuration: defaults, then `natter.toml`, then `NATTER_*` variables, then flags.
//! Everything is validated here, once, into `Settings`; a bad value stops start-up
//! with one sentence that says what to change.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use natter_app::client_ip::TrustedProxies;
use natter_app::signup::SignupPolicy;
use serde::{Deserialize, Serialize};
use url::Url;

/// The master secret generated into the data directory when `NATTER_SECRET` is unset.
pub const SECRET_FILE: &str = "secret.key";

/// The raw layered values, named exactly as the `NATTER_*` variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawConfig {
    pub listen: String,
    /// Unset: `/metrics` is on the main listener.
    pub metrics_listen: Option<String>,
    pub public_url: String,
    pub allowed_origins: Option<String>,
    pub trusted_proxies: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub amqp_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub media_url: Option<String>,
    pub role: String,
    pub log: String,
    pub log_format: String,
    /// `open` or `closed`; unset: closed unless the public URL is loopback.
    pub signup: Option<String>,
    pub signup_domains: Option<String>,
    /// Hex, at least 32 bytes; unset: generated into the data directory.
    pub secret: Option<String>,
    /// Comma list of origins push endpoints may have besides https public hosts.
    pub push_allow: Option<String>,
    /// A duration (`3s`, `15m`, `1h`): the still-unread mail's default delay.
    pub unread_mail_delay: Option<String>,
    /// The `AWS_*` variables, for S3 media (`NATTER_MEDIA_URL=s3://…`); not from
    /// `natter.toml`.
    #[serde(skip)]
    pub aws: AwsEnv,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            metrics_listen: None,
            public_url: "http://localhost:8080".into(),
            allowed_origins: None,
            trusted_proxies: None,
            data_dir: PathBuf::from("./natter-data"),
            database_url: None,
            redis_url: None,
            amqp_url: None,
            smtp_url: None,
            mail_from: "natter <no-reply@localhost>".into(),
            media_url: None,
            role: "all".into(),
            log: "info".into(),
            log_format: "pretty".into(),
            signup: None,
            signup_domains: None,
            secret: None,
            push_allow: None,
            unread_mail_delay: None,
            aws: AwsEnv::default(),
        }
    }
}

impl RawConfig {
    /// Defaults < `natter.toml` (in the working directory) < `NATTER_*` variables.
    pub fn load() -> anyhow::Result<Self> {
        Figment::from(Serialized::defaults(RawConfig::default()))
            .merge(Toml::file("natter.toml"))
            .merge(Env::prefixed("NATTER_").map(|k| k.as_str().to_ascii_lowercase().into()).only(&[
                "listen",
                "metrics_listen",
                "public_url",
                "allowed_origins",
                "trusted_proxies",
                "data_dir",
                "database_url",
                "redis_url",
                "amqp_url",
                "smtp_url",
                "mail_from",
                "media_url",
                "role",
                "log",
                "log_format",
                "signup",
                "signup_domains",
                "secret",
                "push_allow",
                "unread_mail_delay",
            ]))
            .extract()
            .map(|raw| RawConfig { aws: AwsEnv::from_env(), ..raw })
            .map_err(|e| anyhow::anyhow!("the configuration cannot be read: {e}"))
    }
}

/// The `AWS_*` environment variables, which configure S3 media the way the `object_store`
/// crate reads them (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, ...). Printed by name only: some are secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AwsEnv(pub Vec<(String, String)>);

impl AwsEnv {
    fn from_env() -> Self {
        Self(std::env::vars().filter(|(k, _)| k.starts_with("AWS_")).collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
    }
}

impl fmt::Debug for AwsEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(k, _)| k)).finish()
    }
}

/// Where uploaded media is kept, as `NATTER_MEDIA_URL` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaChoice {
    /// One file per object under this folder; by default `<data dir>/media`, the one
    /// `natter admin backup` archives.
    Folder(PathBuf),
    /// `s3://bucket/prefix` on AWS or any S3-compatible server (`AWS_ENDPOINT_URL`).
    S3 { bucket: String, prefix: String },
}

impl MediaChoice {
    fn parse(raw: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Self::Folder(data_dir.join("media")));
        };
        let forms = "use s3://bucket/prefix (with the AWS_* variables) or file:///absolute/folder";
        let url = Url::parse(raw).map_err(|_| anyhow::anyhow!("NATTER_MEDIA_URL is not a URL; {forms}"))?;
        if !url.username().is_empty() || url.password().is_some() {
            bail!(
                "NATTER_MEDIA_URL must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
            );
        }
        if url.query().is_some() || url.fragment().is_some() || url.port().is_some() {
            bail!(
                "NATTER_MEDIA_URL takes no port, query or fragment ({}); an S3 server's address goes in AWS_ENDPOINT_URL",
                redact_url(raw)
            );
        }
        match url.scheme() {
            "s3" => {
                let bucket = url.host_str().unwrap_or_default().to_owned();
                if !is_bucket_name(&bucket) {
                    bail!(
                        "NATTER_MEDIA_URL: {bucket:?} is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens); {forms}"
                    );
                }
                // From the text as given: the URL parser would resolve `a/../b` to `b`.
                let path = raw.split_once("://").and_then(|(_, rest)| rest.split_once('/'));
                let prefix = path.map_or("", |(_, p)| p).trim_matches('/').to_owned();
                let segment_ok = |seg: &str| {
                    !seg.is_empty()
                        && !seg.starts_with('.')
                        && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                };
                if !prefix.is_empty() && !prefix.split('/').all(segment_ok) {
                    bail!(
                        "NATTER_MEDIA_URL: the prefix {prefix:?} must be folder names of letters, digits, '-', '_' and '.' joined by '/'"
                    );
                }
                Ok(Self::S3 { bucket, prefix })
            }
            "file" => match (url.host_str(), url.to_file_path()) {
                (None | Some("" | "localhost"), Ok(path)) if path.is_absolute() => Ok(Self::Folder(path)),
                _ => bail!(
                    "NATTER_MEDIA_URL: a file:// URL names an absolute folder, like file:///var/lib/natter/media"
                ),
            },
            other => bail!("NATTER_MEDIA_URL cannot be {other}://; {forms}"),
        }
    }
}

/// S3's rules for a bucket name, so a typo is refused here rather than by the server.
fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub api: bool,
    pub realtime: bool,
    pub mail: bool,
}

impl Roles {
    pub const ALL: Roles = Roles { api: true, realtime: true, mail: true };

    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let mut roles = Roles { api: false, realtime: false, mail: false };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "all" => roles = Self::ALL,
                "api" => roles.api = true,
                "realtime" => roles.realtime = true,
                "mail" => roles.mail = true,
                other => {
                    bail!("NATTER_ROLE: unknown role {other:?}; use all, api, realtime, mail or a comma list")
                }
            }
        }
        if roles == (Roles { api: false, realtime: false, mail: false }) {
            bail!("NATTER_ROLE is empty; use all, api, realtime, mail or a comma list");
        }
        Ok(roles)
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = [(self.api, "api"), (self.realtime, "realtime"), (self.mail, "mail")]
            .into_iter()
            .filter_map(|(on, n)| on.then_some(n))
            .collect();
        f.write_str(&names.join(","))
    }
}

/// A value that must not be printed (a URL with a password, say).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// `smtp://user:pass@host` -> `smtp://user:***@host`.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "***".into(),
    }
}

/// The master secret given as `NATTER_SECRET`: every node of a deployment signs
/// sessions and media URLs and keys the login-code hashes with it.
#[derive(Clone)]
pub struct MasterSecret(Vec<u8>);

impl MasterSecret {
    /// The fewest bytes accepted: the key size of the HMAC-SHA256 it feeds.
    pub const MIN_BYTES: usize = 32;

    fn parse(hex_text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_text.trim()).map_err(|_| {
            anyhow::anyhow!("NATTER_SECRET must be hex (make one with `openssl rand -hex 32`)")
        })?;
        if bytes.len() < Self::MIN_BYTES {
            bail!(
                "NATTER_SECRET is {} bytes; it needs at least {} random bytes, as hex (`openssl rand -hex 32`)",
                bytes.len(),
                Self::MIN_BYTES
            );
        }
        Ok(Self(bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterSecret([{} bytes, redacted])", self.0.len())
    }
}

/// Which Store backend `NATTER_DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// `sqlite://path`: the embedded default, one file.
    Sqlite,
    /// `postgres://` or `postgresql://`: one database for several nodes.
    Postgres,
}

impl StoreChoice {
    pub(crate) fn of(url: &str) -> Option<Self> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase())?;
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailerChoice {
    Console,
    Smtp,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// A listener of its own for `/metrics` (then not served on `listen`).
    pub metrics_listen: Option<SocketAddr>,
    pub public_url: Url,
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub smtp_url: Option<Secret>,
    /// The bus across nodes; `None`: in-process.
    pub redis_url: Option<Secret>,
    /// The broker mail jobs are relayed to; `None`: the workers poll the outbox.
    pub amqp_url: Option<Secret>,
    pub mail_from: String,
    pub roles: Roles,
    pub log: String,
    pub log_json: bool,
    pub signup: SignupPolicy,
    /// `NATTER_SECRET`; `None`: the one generated into the data directory.
    pub secret: Option<MasterSecret>,
    pub media: MediaChoice,
    /// The `AWS_*` variables the S3 media backend is configured by.
    pub aws: AwsEnv,
    /// Origins push endpoints may have besides https to public hosts.
    pub push_allow: Vec<String>,
    /// The still-unread mail's delay for users who did not choose one.
    pub unread_mail_delay: Duration,
}

impl Settings {
    /// The Redis this node's roles use: the bus, the shared limits and presence are
    /// the api's and realtime's; a mail node connects to none of them.
    pub fn redis_for_roles(&self) -> Option<&Secret> {
        self.redis_url.as_ref().filter(|_| self.roles.api || self.roles.realtime)
    }

    pub fn from_raw(raw: RawConfig) -> anyhow::Result<Self> {
        let listen: SocketAddr = raw.listen.parse().map_err(|_| {
            anyhow::anyhow!("NATTER_LISTEN must be an address like 127.0.0.1:8080, not {:?}", raw.listen)
        })?;
        let metrics_listen = match raw.metrics_listen.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(a) => Some(a.parse::<SocketAddr>().map_err(|_| {
                anyhow::anyhow!("NATTER_METRICS_LISTEN must be an address like 127.0.0.1:9090, not {a:?}")
            })?),
            None => None,
        };
        let public_url = parse_origin("NATTER_PUBLIC_URL", &raw.public_url)?;
        let allowed_origins = raw
            .allowed_origins
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|o| parse_origin("NATTER_ALLOWED_ORIGINS", o).map(|u| origin_of(&u)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let trusted_proxies = TrustedProxies::parse(raw.trusted_proxies.as_deref().unwrap_or_default())
            .map_err(|e| {
                anyhow::anyhow!("NATTER_TRUSTED_PROXIES: {e}; use a comma list like 10.0.0.1,10.1.0.0/16")
            })?;
        let database_url = match raw.database_url.filter(|u| !u.trim().is_empty()) {
            Some(u) if StoreChoice::of(&u).is_some() => u,
            Some(u) => bail!(
                "NATTER_DATABASE_URL must start with sqlite:// or postgres://, not {:?}",
                redact_url(&u)
            ),
            None => format!("sqlite://{}", raw.data_dir.join("natter.db").display()),
        };
        let redis_url = match raw.redis_url.filter(|s| !s.trim().is_empty()) {
            Some(u) => {
                let parsed = Url::parse(&u).context("NATTER_REDIS_URL is not a URL")?;
                if parsed.scheme() != "redis" {
                    bail!("NATTER_REDIS_URL must start with redis:// (redis://host:6379/0)");
                }
                if StoreChoice::of(&database_url) != Some(StoreChoice::Postgres) {
                    bail!(
                        "NATTER_REDIS_URL joins nodes that share one database: set NATTER_DATABASE_URL=postgres://… too"
                    );
                }
                Some(Secret(u))
            }
            None => None,
        };
        let media = MediaChoice::parse(raw.media_url.as_deref(), &raw.data_dir)?;
        let amqp_url = match raw.amqp_url.filter(|s| !s.trim().is_empty()) {
            Some(u) => {
                let parsed = Url::parse(&u).context("NATTER_AMQP_URL is not a URL")?;
                if !matches!(parsed.scheme(), "amqp" | "amqps") {
                    bail!(
                        "NATTER_AMQP_URL must start with amqp:// or amqps:// (amqp://user:pass@host:5672/%2f)"
                    );
                }
                if StoreChoice::of(&database_url) != Some(StoreChoice::Postgres) {
                    bail!(
                        "NATTER_AMQP_URL relays the outbox of a database every node shares: set NATTER_DATABASE_URL=postgres://… too"
                    );
                }
                Some(Secret(u))
            }
            None => None,
        };
        let smtp_url = match raw.smtp_url.filter(|s| !s.trim().is_empty()) {
            Some(u) => {
                let parsed = Url::parse(&u).context("NATTER_SMTP_URL is not a URL")?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") {
                    bail!("NATTER_SMTP_URL must start with smtp:// or smtps://");
                }
                Some(Secret(u))
            }
            None => None,
        };
        let log_json = match raw.log_format.as_str() {
            "json" => true,
            "pretty" | "" => false,
            other => bail!("NATTER_LOG_FORMAT must be json or pretty, not {other:?}"),
        };
        let signup = signup_policy(raw.signup.as_deref(), raw.signup_domains.as_deref(), &public_url)?;
        let secret =
            raw.secret.as_deref().filter(|s| !s.trim().is_empty()).map(MasterSecret::parse).transpose()?;
        if secret.is_none() && StoreChoice::of(&database_url) == Some(StoreChoice::Postgres) {
            bail!(
                "NATTER_SECRET is required with PostgreSQL, so that every node signs sessions with the same key: \
                 set it to at least 32 random bytes as hex (`openssl rand -hex 32`), or, moving an installation \
                 from SQLite, to the content of its {}",
                raw.data_dir.join(SECRET_FILE).display()
            );
        }
        let push_allow = raw
            .push_allow
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|o| parse_origin("NATTER_PUSH_ALLOW", o).map(|u| origin_of(&u)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let unread_mail_delay =
            match raw.unread_mail_delay.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(d) => parse_duration(d).ok_or_else(|| {
                    anyhow::anyhow!(
                        "NATTER_UNREAD_MAIL_DELAY must be a duration like 30s, 15m or 1h, not {d:?}"
                    )
                })?,
                None => natter_app::unread_mail::DEFAULT_DELAY,
            };
        Ok(Self {
            push_allow,
            unread_mail_delay,
            signup,
            secret,
            media,
            aws: raw.aws,
            listen,
            metrics_listen,
            public_url,
            allowed_origins,
            trusted_proxies,
            data_dir: raw.data_dir,
            database_url,
            smtp_url,
            redis_url,
            amqp_url,
            mail_from: raw.mail_from,
            roles: Roles::parse(&raw.role)?,
            log: raw.log,
            log_json,
        })
    }

    /// The contact push services may write to about this server's pushes (VAPID
    /// `sub`): the sender address of its mail.
    pub fn push_contact(&self) -> String {
        let from = &self.mail_from;
        let address = match (from.find('<'), from.rfind('>')) {
            (Some(a), Some(b)) if a < b => &from[a + 1..b],
            _ => from.as_str(),
        };
        format!("mailto:{}", address.trim())
    }

    pub fn store(&self) -> StoreChoice {
        // Checked in `from_raw`.
        StoreChoice::of(&self.database_url).unwrap_or(StoreChoice::Sqlite)
    }

    pub fn mailer(&self) -> MailerChoice {
        if self.smtp_url.is_some() { MailerChoice::Smtp } else { MailerChoice::Console }
    }

    pub fn public_origin(&self) -> String {
        origin_of(&self.public_url)
    }

    /// The effective configuration as `natter config check` prints it.
    pub fn describe(&self) -> String {
        let none = || "(unset)".to_string();
        [
            ("NATTER_LISTEN", self.listen.to_string()),
            ("NATTER_METRICS_LISTEN", self.metrics_listen.map_or_else(none, |a| a.to_string())),
            ("NATTER_PUBLIC_URL", self.public_url.to_string()),
            (
                "NATTER_ALLOWED_ORIGINS",
                if self.allowed_origins.is_empty() { none() } else { self.allowed_origins.join(",") },
            ),
            (
                "NATTER_TRUSTED_PROXIES",
                if self.trusted_proxies.is_empty() {
                    "(unset: the TCP peer is the client)".into()
                } else {
                    self.trusted_proxies.describe()
                },
            ),
            ("NATTER_DATA_DIR", self.data_dir.display().to_string()),
            (
                "NATTER_SECRET",
                match &self.secret {
                    Some(s) => {
                        format!("set ({} bytes, redacted): sessions, media URLs and codes use it", s.0.len())
                    }
                    None => format!(
                        "(unset: the secret generated into {})",
                        self.data_dir.join(SECRET_FILE).display()
                    ),
                },
            ),
            ("NATTER_DATABASE_URL", redact_url(&self.database_url)),
            (
                "NATTER_REDIS_URL",
                self.redis_url.as_ref().map_or("(unset: in-process bus)".into(), |s| {
                    format!("{s:?} (the bus and the rate limits across nodes; presence is still per node)")
                }),
            ),
            (
                "NATTER_AMQP_URL",
                self.amqp_url.as_ref().map_or("(unset: jobs table in the store)".into(), |s| {
                    format!("{s:?} (the outbox relayed to RabbitMQ, consumed by the mail role)")
                }),
            ),
            (
                "NATTER_SMTP_URL",
                self.smtp_url
                    .as_ref()
                    .map_or("(unset: console mailer + /dev/mailbox)".into(), |s| format!("{s:?}")),
            ),
            ("NATTER_MAIL_FROM", self.mail_from.clone()),
            (
                "NATTER_PUSH_ALLOW",
                if self.push_allow.is_empty() {
                    "(unset: push endpoints must be https to public hosts)".into()
                } else {
                    self.push_allow.join(",")
                },
            ),
            ("NATTER_UNREAD_MAIL_DELAY", format!("{:?}", self.unread_mail_delay)),
            ("NATTER_MEDIA_URL", self.describe_media()),
            ("NATTER_ROLE", self.roles.to_string()),
            ("NATTER_LOG", self.log.clone()),
            ("NATTER_LOG_FORMAT", if self.log_json { "json".into() } else { "pretty".into() }),
            (
                "NATTER_SIGNUP",
                match &self.signup {
                    SignupPolicy::Open => "open (anyone whose code verifies)".into(),
                    SignupPolicy::Closed { .. } => {
                        "closed (invited addresses, allowed domains, and the first account)".into()
                    }
                },
            ),
            (
                "NATTER_SIGNUP_DOMAINS",
                match &self.signup {
                    SignupPolicy::Closed { domains } if !domains.is_empty() => domains.join(","),
                    _ => none(),
                },
            ),
        ]
        .iter()
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect()
    }
}

impl Settings {
    /// The media backend in force, and for S3 where it is reached and how it signs in:
    /// the names of the credential variables, never their values.
    fn describe_media(&self) -> String {
        match &self.media {
            MediaChoice::Folder(path) if *path == self.data_dir.join("media") => {
                format!("file://{} (the data directory's folder, in backups)", path.display())
            }
            MediaChoice::Folder(path) => {
                format!(
                    "file://{} (a folder outside the data directory: backups leave it out)",
                    path.display()
                )
            }
            MediaChoice::S3 { bucket, prefix } => {
                let endpoint = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT"]
                    .into_iter()
                    .find_map(|name| self.aws.get(name))
                    .map_or_else(|| "AWS".to_owned(), redact_url);
                let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .into_iter()
                    .find_map(|name| self.aws.get(name))
                    .unwrap_or("us-east-1, the default");
                let keys = match (self.aws.get("AWS_ACCESS_KEY_ID"), self.aws.get("AWS_SECRET_ACCESS_KEY")) {
                    (Some(_), Some(_)) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (redacted)",
                    _ => "no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: instance or web-identity credentials",
                };
                let slash = if prefix.is_empty() { "" } else { "/" };
                format!(
                    "s3://{bucket}{slash}{prefix} (S3 at {endpoint}, region {region}; credentials: {keys}; backups leave it out)"
                )
            }
        }
    }
}

/// `NATTER_SIGNUP` wins when set. Unset, allowed domains mean closed, and otherwise a
/// public URL on loopback (the embedded default, a developer's machine) means open, so
/// `natter serve` just works there, while anything reachable from elsewhere starts
/// closed: its first account (the admin) gets in and invites the others.
fn signup_policy(
    mode: Option<&str>,
    domains: Option<&str>,
    public_url: &Url,
) -> anyhow::Result<SignupPolicy> {
    let domains = domains.map(str::trim).filter(|d| !d.is_empty());
    let closed = |d: Option<&str>| {
        SignupPolicy::closed(d.unwrap_or_default()).map_err(|e| anyhow::anyhow!("{}", e.message))
    };
    match mode.map(str::trim).filter(|m| !m.is_empty()) {
        Some("open") if domains.is_some() => bail!(
            "NATTER_SIGNUP_DOMAINS is set but NATTER_SIGNUP=open lets everyone in; set NATTER_SIGNUP=closed or unset the domains"
        ),
        Some("open") => Ok(SignupPolicy::Open),
        Some("closed") => closed(domains),
        Some(other) => bail!("NATTER_SIGNUP must be open or closed, not {other:?}"),
        None if domains.is_none() && is_loopback(public_url) => Ok(SignupPolicy::Open),
        None => closed(domains),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_origin(name: &str, raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw)
        .map_err(|_| anyhow::anyhow!("{name} must be a URL like https://chat.example.com, not {raw:?}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!("{name} must be an http:// or https:// URL, not {raw:?}");
    }
    Ok(url)
}

/// `500ms`, `3s`, `15m`, `1h`: a whole number and a unit.
fn parse_duration(raw: &str) -> Option<Duration> {
    let split = raw.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = raw.split_at(split);
    let n: u64 = n.parse().ok()?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" | "min" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    };
    (!d.is_zero()).then_some(d)
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_operators_write_them() {
        assert_eq!(parse_duration("3s"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        for bad in ["", "15", "m", "0s", "1.5m", "-3s", "3 days"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn defaults_are_valid_and_embedded() {
        let s = Settings::from_raw(RawConfig::default());
        let s = s.as_ref().ok();
        assert_eq!(s.map(|s| s.listen.to_string()), Some("127.0.0.1:8080".into()));
        assert_eq!(s.map(Settings::public_origin), Some("http://localhost:8080".into()));
        assert_eq!(s.map(Settings::mailer), Some(MailerChoice::Console));
        assert_eq!(s.map(|s| s.roles), Some(Roles::ALL));
        assert_eq!(s.map(Settings::store), Some(StoreChoice::Sqlite));
    }

    #[test]
    fn the_database_url_picks_the_store_by_its_scheme() {
        let store = |url: &str| {
            let raw = RawConfig {
                database_url: Some(url.into()),
                secret: Some("ab".repeat(32)),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map(|s| s.store()).map_err(|e| e.to_string())
        };
        assert_eq!(store("sqlite:///var/lib/natter/natter.db"), Ok(StoreChoice::Sqlite));
        assert_eq!(store("postgres://natter:pw@db:5432/natter"), Ok(StoreChoice::Postgres));
        assert_eq!(store("postgresql://db/natter"), Ok(StoreChoice::Postgres));
        let refused = store("mysql://root:hunter2@db/natter").unwrap_err();
        assert!(refused.starts_with("NATTER_DATABASE_URL must start with sqlite:// or postgres://"));
        assert!(!refused.contains("hunter2"), "{refused}");
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let bad = |f: fn(&mut RawConfig)| {
            let mut raw = RawConfig::default();
            f(&mut raw);
            Settings::from_raw(raw).err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(bad(|r| r.listen = "nope".into()).starts_with("NATTER_LISTEN"));
        assert!(bad(|r| r.metrics_listen = Some("9090".into())).starts_with("NATTER_METRICS_LISTEN"));
        assert!(bad(|r| r.public_url = "ftp://x".into()).starts_with("NATTER_PUBLIC_URL"));
        assert!(bad(|r| r.role = "chef".into()).starts_with("NATTER_ROLE"));
        assert!(bad(|r| r.smtp_url = Some("http://x".into())).starts_with("NATTER_SMTP_URL"));
        assert!(
            bad(|r| r.trusted_proxies = Some("10.0.0.1,nginx".into())).starts_with("NATTER_TRUSTED_PROXIES")
        );
    }

    #[test]
    fn secrets_are_redacted_when_printed() {
        let raw = RawConfig {
            smtp_url: Some("smtp://me:hunter2@mail.example.com:587".into()),
            ..RawConfig::default()
        };
        let text = Settings::from_raw(raw).map(|s| s.describe()).unwrap_or_default();
        assert!(text.contains("smtp://me:***@mail.example.com:587"), "{text}");
        assert!(!text.contains("hunter2"));
    }

    #[test]
    fn signup_is_open_on_loopback_and_closed_elsewhere_unless_set() {
        let signup = |url: &str, mode: Option<&str>, domains: Option<&str>| {
            let raw = RawConfig {
                public_url: url.into(),
                signup: mode.map(Into::into),
                signup_domains: domains.map(Into::into),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map(|s| s.signup).map_err(|e| e.to_string())
        };
        let closed =
            |d: &[&str]| Ok(SignupPolicy::Closed { domains: d.iter().map(|s| s.to_string()).collect() });
        for url in ["http://localhost:8080", "http://127.0.0.1:8080", "http://127.3.4.5", "http://[::1]:8080"]
        {
            assert_eq!(signup(url, None, None), Ok(SignupPolicy::Open), "{url}");
        }
        for url in ["https://chat.example.com", "http://192.168.1.10:8080", "http://[2001:db8::1]"] {
            assert_eq!(signup(url, None, None), closed(&[]), "{url}");
        }
        assert_eq!(signup("https://chat.example.com", Some("open"), None), Ok(SignupPolicy::Open));
        assert_eq!(signup("http://localhost:8080", Some("closed"), None), closed(&[]));
        assert_eq!(
            signup("http://localhost:8080", None, Some("Example.com, b.org")),
            closed(&["example.com", "b.org"])
        );
        assert!(signup("http://x.io", Some("maybe"), None).unwrap_err().starts_with("NATTER_SIGNUP must"));
        assert!(
            signup("http://x.io", Some("open"), Some("a.io"))
                .unwrap_err()
                .starts_with("NATTER_SIGNUP_DOMAINS")
        );
        assert!(
            signup("http://x.io", None, Some("a.io, no way")).unwrap_err().contains("NATTER_SIGNUP_DOMAINS")
        );
    }

    #[test]
    fn the_secret_is_required_on_postgres_checked_and_never_printed() {
        let settings = |db: Option<&str>, secret: Option<&str>| {
            let raw = RawConfig {
                database_url: db.map(Into::into),
                secret: secret.map(Into::into),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map_err(|e| e.to_string())
        };
        let pg = Some("postgres://db/natter");
        let missing = settings(pg, None).err().unwrap_or_default();
        assert!(missing.starts_with("NATTER_SECRET is required with PostgreSQL"), "{missing}");
        assert!(missing.contains("secret.key"), "says where an SQLite installation keeps its own: {missing}");
        let short = settings(pg, Some(&"ab".repeat(31))).err().unwrap_or_default();
        assert!(short.contains("31 bytes") && short.contains("at least 32"), "{short}");
        let not_hex = settings(None, Some(&"zz".repeat(32))).err().unwrap_or_default();
        assert!(not_hex.starts_with("NATTER_SECRET must be hex"), "{not_hex}");

        let secret = "0123456789abcdef".repeat(4);
        let on_pg = settings(pg, Some(&secret)).expect("valid");
        assert_eq!(on_pg.secret.as_ref().map(|s| s.bytes().len()), Some(32));
        let described = on_pg.describe();
        assert!(described.contains("NATTER_SECRET = set (32 bytes, redacted)"), "{described}");
        assert!(!described.contains(&secret) && !format!("{on_pg:?}").contains(&secret));
        let embedded = settings(None, None).expect("valid").describe();
        assert!(embedded.contains("NATTER_SECRET = (unset: the secret generated into"), "{embedded}");
    }

    #[test]
    fn redis_needs_a_shared_store_a_redis_url_and_stays_redacted() {
        let settings = |db: Option<&str>, redis: &str| {
            let raw = RawConfig {
                database_url: db.map(Into::into),
                redis_url: Some(redis.into()),
                secret: Some("ab".repeat(32)),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map_err(|e| e.to_string())
        };
        let on_sqlite = settings(None, "redis://cache:6379/0").err().unwrap_or_default();
        assert!(on_sqlite.contains("NATTER_DATABASE_URL=postgres://"), "{on_sqlite}");
        let pg = Some("postgres://db/natter");
        let bad = settings(pg, "http://cache:6379").err().unwrap_or_default();
        assert!(bad.starts_with("NATTER_REDIS_URL must start with redis://"), "{bad}");
        let ok = settings(pg, "redis://:hunter2@cache:6379/0").expect("valid");
        let described = ok.describe();
        assert!(described.contains("NATTER_REDIS_URL = redis://:***@cache:6379/0"), "{described}");
        assert!(!described.contains("hunter2") && !format!("{ok:?}").contains("hunter2"));
    }

    #[test]
    fn the_media_url_picks_a_folder_or_an_s3_bucket_and_anything_else_is_refused() {
        let media = |url: Option<&str>| {
            let raw = RawConfig {
                data_dir: "/srv/natter".into(),
                media_url: url.map(Into::into),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map(|s| s.media).map_err(|e| e.to_string())
        };
        let s3 =
            |bucket: &str, prefix: &str| Ok(MediaChoice::S3 { bucket: bucket.into(), prefix: prefix.into() });
        assert_eq!(media(None), Ok(MediaChoice::Folder("/srv/natter/media".into())));
        assert_eq!(media(Some(" ")), Ok(MediaChoice::Folder("/srv/natter/media".into())));
        assert_eq!(media(Some("file:///mnt/media")), Ok(MediaChoice::Folder("/mnt/media".into())));
        assert_eq!(media(Some("s3://natter-media")), s3("natter-media", ""));
        assert_eq!(media(Some("s3://natter-media/")), s3("natter-media", ""));
        assert_eq!(media(Some("s3://natter-media/prod/eu-1/")), s3("natter-media", "prod/eu-1"));
        for (url, says) in [
            ("/mnt/media", "NATTER_MEDIA_URL is not a URL; use s3://bucket/prefix"),
            ("https://s3.amazonaws.com/b", "NATTER_MEDIA_URL cannot be https://"),
            ("gs://bucket", "NATTER_MEDIA_URL cannot be gs://"),
            ("s3://Bucket_1", "is not an S3 bucket name"),
            ("s3://b", "is not an S3 bucket name"),
            ("s3://bucket/a/../b", "the prefix"),
            ("s3://bucket/a//b", "the prefix"),
            ("s3://bucket:9000/x", "an S3 server's address goes in AWS_ENDPOINT_URL"),
            ("s3://bucket/x?region=eu", "takes no port, query or fragment"),
            ("file://media", "names an absolute folder"),
        ] {
            let refused = media(Some(url)).unwrap_err();
            assert!(refused.contains(says), "{url}: {refused}");
        }
        let with_key = media(Some("s3://AKIA:hunter2@bucket/x")).unwrap_err();
        assert!(with_key.contains("AWS_SECRET_ACCESS_KEY") && !with_key.contains("hunter2"), "{with_key}");
    }

    #[test]
    fn config_check_names_the_media_backend_and_never_the_secret_access_key() {
        let aws = |vars: &[(&str, &str)]| {
            AwsEnv(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        };
        let raw = RawConfig {
            media_url: Some("s3://natter-media/prod".into()),
            aws: aws(&[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
                ("AWS_REGION", "eu-west-3"),
                ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-hunter2"),
            ]),
            ..RawConfig::default()
        };
        let settings = Settings::from_raw(raw).expect("valid");
        let text = settings.describe();
        assert!(
            text.contains(
                "NATTER_MEDIA_URL = s3://natter-media/prod (S3 at http://127.0.0.1:9000/, region eu-west-3; \
                 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (redacted)"
            ),
            "{text}"
        );
        assert!(!text.contains("hunter2") && !format!("{settings:?}").contains("hunter2"), "{text}");
        let embedded = Settings::from_raw(RawConfig::default()).expect("valid").describe();
        assert!(
            embedded.contains(
                "NATTER_MEDIA_URL = file://./natter-data/media (the data directory's folder, in backups)"
            ),
            "{embedded}"
        );
        let elsewhere = RawConfig { media_url: Some("file:///mnt/media".into()), ..RawConfig::default() };
        let elsewhere = Settings::from_raw(elsewhere).expect("valid").describe();
        assert!(
            elsewhere
                .contains("file:///mnt/media (a folder outside the data directory: backups leave it out)")
        );
    }

    #[test]
    fn amqp_needs_a_shared_store_an_amqp_url_and_stays_redacted() {
        let settings = |db: Option<&str>, amqp: &str| {
            let raw = RawConfig {
                database_url: db.map(Into::into),
                amqp_url: Some(amqp.into()),
                secret: Some("ab".repeat(32)),
                ..RawConfig::default()
            };
            Settings::from_raw(raw).map_err(|e| e.to_string())
        };
        let on_sqlite = settings(None, "amqp://broker:5672/%2f").err().unwrap_or_default();
        assert!(on_sqlite.contains("NATTER_DATABASE_URL=postgres://"), "{on_sqlite}");
        let pg = Some("postgres://db/natter");
        let bad = settings(pg, "http://broker:5672").err().unwrap_or_default();
        assert!(bad.starts_with("NATTER_AMQP_URL must start with amqp:// or amqps://"), "{bad}");
        assert!(settings(pg, "amqps://broker:5671/natter").is_ok());
        let ok = settings(pg, "amqp://natter:hunter2@broker:5672/%2f").expect("valid");
        let described = ok.describe();
        assert!(described.contains("NATTER_AMQP_URL = amqp://natter:***@broker:5672/%2f"), "{described}");
        assert!(!described.contains("hunter2") && !format!("{ok:?}").contains("hunter2"));
        let unset = settings(pg, "").expect("valid").describe();
        assert!(unset.contains("NATTER_AMQP_URL = (unset: jobs table in the store)"), "{unset}");
    }

    #[test]
    fn roles_parse_as_a_comma_list() {
        assert_eq!(Roles::parse("api, mail").ok(), Some(Roles { api: true, realtime: false, mail: true }));
        assert!(Roles::parse("").is_err());
    }
}
