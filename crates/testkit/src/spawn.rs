//! `spawn_app`: the real server, on a random port, with a fresh data directory (and,
//! on the PostgreSQL run, a fresh database: `db.rs`; on the S3 run, a prefix of its own
//! in the test bucket: `s3.rs`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use natter::config::{RawConfig, Settings};
use natter::{Application, Overrides};
use natter_app::auth::AuthPolicy;
use natter_app::connections::SocketCaps;
use natter_app::jobs::RetryPolicy;
use natter_domain::bus::Bus;
use natter_domain::ports::Rate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::ManualClock;
use crate::db::{Backend, TestDatabase};
use crate::s3::{self, MediaBackend, TestS3};

/// The origin test servers believe they are served from; send it as `Origin` to act
/// like the web client.
pub const PUBLIC_URL: &str = "http://natter.test";

/// Who may join a test server. Tests that are not about it get `Open`: the test public
/// URL is not loopback, so the install's own default would be closed.
#[derive(Debug, Default, Clone)]
pub enum Signup {
    #[default]
    Open,
    /// `NATTER_SIGNUP=closed` with these `NATTER_SIGNUP_DOMAINS` (a comma list).
    Closed { domains: String },
    /// Neither variable set: what a new install on the public URL starts with.
    InstallDefault,
}

#[derive(Default, Clone)]
pub struct TestOptions {
    pub smtp_url: Option<String>,
    pub public_url: Option<String>,
    pub role: Option<String>,
    pub auth_policy: Option<AuthPolicy>,
    pub retry_policy: Option<RetryPolicy>,
    /// Reuse the data (directory and database) of another test server: to restart a
    /// server on the same state, or to run a second node on it.
    pub data_dir: Option<Arc<TestData>>,
    pub clock: Option<Arc<ManualClock>>,
    pub typing_ttl: Option<Duration>,
    /// Message send rates; tests that are not about this limit get a high one.
    pub send_rates: Option<Vec<Rate>>,
    /// Another bus (see `faults::ClosableBus`).
    pub bus: Option<Arc<dyn Bus>>,
    /// `NATTER_REDIS_URL` (the data must be on PostgreSQL).
    pub redis_url: Option<String>,
    /// `NATTER_AMQP_URL` (the data must be on PostgreSQL).
    pub amqp_url: Option<String>,
    /// `NATTER_ALLOWED_ORIGINS`.
    pub allowed_origins: Option<String>,
    /// `NATTER_TRUSTED_PROXIES`.
    pub trusted_proxies: Option<String>,
    /// Open sockets per user and per address (production's caps otherwise).
    pub socket_caps: Option<SocketCaps>,
    pub signup: Signup,
    /// Serve `/metrics` on a listener of its own (`NATTER_METRICS_LISTEN`, port 0).
    pub metrics_listener: bool,
    /// `NATTER_PUSH_ALLOW` (a test's own push service).
    pub push_allow: Option<String>,
    /// `NATTER_UNREAD_MAIL_DELAY`.
    pub unread_mail_delay: Option<String>,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub url: String,
    /// The origin the server believes it is served from (its links start with it).
    pub public_url: String,
    pub clock: Arc<ManualClock>,
    pub data_dir: Arc<TestData>,
    /// The metrics listener's base URL, with `TestOptions::metrics_listener`.
    pub metrics_url: Option<String>,
    /// A client without a cookie jar: tests say explicitly what they send.
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub struct LoggedIn {
    pub token: String,
    pub user_id: String,
    pub user: Value,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

/// What a test server keeps: its data directory and, on the PostgreSQL run, a database
/// of its own (dropped with the last server that uses it).
pub struct TestData {
    dir: tempfile::TempDir,
    database: Option<TestDatabase>,
    /// `NATTER_SECRET` (hex), which PostgreSQL requires; `None`: the data directory's.
    secret: Option<String>,
    media: MediaPlace,
}

/// Where the media of the servers on some data is kept.
#[derive(Debug, Clone)]
enum MediaPlace {
    /// `<data dir>/media`, the default.
    Folder,
    /// `s3://BUCKET/<prefix>` on the moto server at `port`.
    S3 { port: u16, prefix: String, aws: Vec<(String, String)> },
}

impl MediaPlace {
    fn s3(server: &TestS3) -> Self {
        let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
        Self::S3 { port: server.port, prefix, aws: server.aws_vars() }
    }
}

impl TestData {
    /// An empty directory, and an empty database on the backend of this run.
    pub async fn fresh() -> Self {
        let (database, secret) = match Backend::current() {
            Backend::Sqlite => (None, None),
            Backend::Postgres => (Some(TestDatabase::create().await), Some(random_secret())),
        };
        let media = match MediaBackend::current() {
            MediaBackend::Folder => MediaPlace::Folder,
            MediaBackend::S3 => MediaPlace::s3(s3::shared()),
        };
        Self { dir: tempfile::tempdir().unwrap(), database, secret, media }
    }

    /// The same data with its media on `server` instead (a prefix of its own there),
    /// whatever this run's media: for tests about S3 itself.
    pub fn with_media_on(self, server: &TestS3) -> Self {
        Self { media: MediaPlace::s3(server), ..self }
    }

    /// The same directory on `database` instead: where an installation migrated from
    /// SQLite to PostgreSQL is served from, with the secret its SQLite server generated
    /// (if one ran here) as `NATTER_SECRET`, as the README says.
    pub fn on_postgres(self, database: TestDatabase) -> Self {
        let secret = match std::fs::read_to_string(self.dir.path().join(natter::config::SECRET_FILE)) {
            Ok(generated) => generated.trim().to_owned(),
            Err(_) => random_secret(),
        };
        Self { dir: self.dir, database: Some(database), secret: Some(secret), media: self.media }
    }

    /// The master secret the servers on this data use.
    pub fn master_secret(&self) -> Vec<u8> {
        let hex_text = match &self.secret {
            Some(s) => s.clone(),
            None => std::fs::read_to_string(self.dir.path().join(natter::config::SECRET_FILE)).unwrap(),
        };
        hex::decode(hex_text.trim()).unwrap()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `NATTER_DATABASE_URL` of the servers on this data.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(db) => db.url().to_owned(),
            None => format!("sqlite://{}", self.dir.path().join("natter.db").display()),
        }
    }

    pub fn backend(&self) -> Backend {
        if self.database.is_some() { Backend::Postgres } else { Backend::Sqlite }
    }

    /// `NATTER_MEDIA_URL` and the `AWS_*` variables of the servers on this data.
    fn media_config(&self) -> (Option<String>, natter::config::AwsEnv) {
        match &self.media {
            MediaPlace::Folder => (None, natter::config::AwsEnv::default()),
            MediaPlace::S3 { prefix, aws, .. } => {
                (Some(format!("s3://{}/{prefix}", s3::BUCKET)), natter::config::AwsEnv(aws.clone()))
            }
        }
    }
}

/// A `NATTER_SECRET` of 32 random bytes.
fn random_secret() -> String {
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    hex::encode(secret)
}

pub async fn spawn_app_with(opts: TestOptions) -> TestApp {
    let data_dir = match opts.data_dir.clone() {
        Some(data) => data,
        None => Arc::new(TestData::fresh().await),
    };
    let clock = opts.clock.clone().unwrap_or_else(|| Arc::new(ManualClock::new()));
    let (media_url, aws) = data_dir.media_config();
    let raw = RawConfig {
        media_url,
        aws,
        listen: "127.0.0.1:0".into(),
        metrics_listen: opts.metrics_listener.then(|| "127.0.0.1:0".into()),
        public_url: opts.public_url.clone().unwrap_or_else(|| PUBLIC_URL.into()),
        data_dir: data_dir.path().to_path_buf(),
        database_url: Some(data_dir.database_url()),
        secret: data_dir.secret.clone(),
        smtp_url: opts.smtp_url.clone(),
        redis_url: opts.redis_url.clone(),
        amqp_url: opts.amqp_url.clone(),
        role: opts.role.clone().unwrap_or_else(|| "all".into()),
        allowed_origins: opts.allowed_origins.clone(),
        trusted_proxies: opts.trusted_proxies.clone(),
        push_allow: opts.push_allow.clone(),
        unread_mail_delay: opts.unread_mail_delay.clone(),
        signup: match &opts.signup {
            Signup::Open => Some("open".into()),
            Signup::Closed { .. } => Some("closed".into()),
            Signup::InstallDefault => None,
        },
        signup_domains: match &opts.signup {
            Signup::Closed { domains } => Some(domains.clone()),
            _ => None,
        },
        ..RawConfig::default()
    };
    let settings = Settings::from_raw(raw).expect("test settings are valid");
    let overrides = Overrides {
        clock: Some(clock.clone()),
        auth_policy: opts.auth_policy.clone(),
        retry_policy: Some(opts.retry_policy.clone().unwrap_or_else(fast_retries)),
        typing_ttl: opts.typing_ttl,
        bus: opts.bus.clone(),
        socket_caps: opts.socket_caps,
        send_rates: Some(
            opts.send_rates.clone().unwrap_or_else(|| vec![Rate::per(100_000, Duration::from_secs(1))]),
        ),
        ..Overrides::default()
    };
    let app = Application::build_with(settings, overrides).await.expect("the app builds");
    let addr = app.local_addr().unwrap();
    let metrics_url = app.metrics_addr().map(|a| format!("http://{a}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        url: format!("http://{addr}"),
        public_url: opts.public_url.clone().unwrap_or_else(|| PUBLIC_URL.into()),
        clock,
        data_dir,
        metrics_url,
        http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        stop: Some(stop),
        task: Some(task),
    }
}

/// Retries that a test can wait for.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        poll_every: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

impl TestApp {
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.url)
    }

    /// A client whose requests come from `ip` (any 127.x.y.z works on Linux loopback),
    /// for rules that depend on where a request comes from.
    pub fn http_from(&self, ip: &str) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(Some(ip.parse().unwrap()))
            .build()
            .unwrap()
    }

    /// The SQLite file (on the SQLite run).
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.path().join("natter.db")
    }

    /// Run `sql` on this server's database, whichever backend it is, and return the
    /// rows: for tests that look at what was stored. Write it in the SQL both
    /// backends speak.
    pub async fn db_rows<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let url = self.data_dir.database_url();
        match self.data_dir.backend() {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(&url).unwrap().read_only(true);
                let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
                let rows = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                rows
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&url).await.unwrap();
                let rows = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                rows
            }
        }
    }

    /// Stop gracefully, as on SIGTERM, and wait until it has.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task").expect("server stopped cleanly");
        }
    }

    /// Wait for the server to stop by itself, and how it ended.
    pub async fn exited(mut self) -> anyhow::Result<()> {
        // Dropping the sender would ask the server to stop: keep it until it has.
        let _keep_running = self.stop.take();
        match self.task.take() {
            Some(t) => t.await?,
            None => Ok(()),
        }
    }

    /// An absolute link the server made (under its public URL), on this test server.
    pub fn local(&self, link: &str) -> String {
        let path = link
            .strip_prefix(&self.public_url)
            .unwrap_or_else(|| panic!("{link} is not under {}", self.public_url));
        format!("{}{path}", self.url)
    }

    pub async fn post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.api(path)).json(&body).send().await.unwrap()
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> reqwest::Response {
        self.http.get(self.api(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post_authed(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.http.post(self.api(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    /// The mails the console mailer sent, newest first.
    pub async fn mailbox(&self) -> Vec<Value> {
        let res = self.http.get(format!("{}/dev/mailbox.json", self.url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// Count of mails sent to `email` so far.
    pub async fn mails_to(&self, email: &str) -> usize {
        self.mailbox().await.iter().filter(|m| m["to"] == email).count()
    }

    /// Wait for the code mail number `nth` (1-based) to `email` and return its code.
    pub async fn code_for(&self, email: &str, nth: usize) -> String {
        let body = crate::eventually(Duration::from_secs(10), "the code mail", || async {
            let mails: Vec<Value> = self.mailbox().await.into_iter().filter(|m| m["to"] == email).collect();
            (mails.len() >= nth).then(|| mails[0]["body"].as_str().unwrap_or_default().to_owned())
        })
        .await;
        extract_code(&body).expect("the mail carries a 6-digit code")
    }

    /// Ask for a code and return it once mailed.
    pub async fn request_code(&self, email: &str) -> String {
        let before = self.mails_to(&email.trim().to_lowercase()).await;
        let res = self.post_json("/login", json!({ "email": email })).await;
        assert_eq!(res.status(), StatusCode::OK, "login: {}", res.text().await.unwrap_or_default());
        self.code_for(&email.trim().to_lowercase(), before + 1).await
    }

    /// The whole email-code login, as a client does it.
    pub async fn login(&self, email: &str) -> LoggedIn {
        let code = self.request_code(email).await;
        let res = self.post_json("/verify", json!({ "email": email, "otp": code })).await;
        assert_eq!(res.status(), StatusCode::OK, "verify");
        let body: Value = res.json().await.unwrap();
        LoggedIn {
            token: body["token"].as_str().unwrap().to_owned(),
            user_id: body["user"]["_id"].as_str().unwrap().to_owned(),
            user: body["user"].clone(),
        }
    }
}

impl TestApp {
    /// Start (or find) the 1:1 chat of `a` with `other_user_id`.
    pub async fn start_chat(&self, a: &LoggedIn, other_user_id: &str) -> String {
        let res = self.post_authed("/chat/new", &a.token, json!({ "otherUserId": other_user_id })).await;
        assert_eq!(res.status(), StatusCode::OK, "chat/new");
        res.json::<Value>().await.unwrap()["chatId"].as_str().unwrap().to_owned()
    }

    /// Send a text by REST and return the stored message.
    pub async fn send_text(&self, who: &LoggedIn, chat_id: &str, text: &str) -> Value {
        let res = self.post_authed("/message", &who.token, json!({ "chatId": chat_id, "text": text })).await;
        assert_eq!(res.status(), StatusCode::CREATED, "send");
        res.json::<Value>().await.unwrap()["message"].clone()
    }

    /// Send a 40x30 PNG to `chat_id` (multipart, as the web client does); the message.
    pub async fn send_png(&self, token: &str, chat_id: &str) -> Value {
        let form = reqwest::multipart::Form::new().text("chatId", chat_id.to_owned()).part(
            "image",
            reqwest::multipart::Part::bytes(crate::fixtures::png(40, 30)).file_name("dot.png"),
        );
        let res =
            self.http.post(self.api("/message")).bearer_auth(token).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "image send");
        res.json::<Value>().await.unwrap()["message"].clone()
    }

    /// Two users with a chat between them: (a, b, chat id).
    pub async fn pair(&self) -> (LoggedIn, LoggedIn, String) {
        let a = self.login("ada@example.com").await;
        let b = self.login("bob@example.com").await;
        let chat = self.start_chat(&a, &b.user_id).await;
        (a, b, chat)
    }

    /// What this server's media holds: the files under its media folder, or on S3 the
    /// keys under its prefix.
    pub fn media_files(&self) -> Vec<PathBuf> {
        if let MediaPlace::S3 { port, prefix, .. } = &self.data_dir.media {
            return s3::keys(*port, prefix).into_iter().map(PathBuf::from).collect();
        }
        fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() { walk(&p, out) } else { out.push(p) }
            }
        }
        let mut out = Vec::new();
        walk(&self.data_dir.path().join("media"), &mut out);
        out
    }
}

/// The first run of exactly six digits in a text.
pub fn extract_code(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let run = &b[i..i + 6];
        let before = i.checked_sub(1).map(|j| b[j].is_ascii_digit()).unwrap_or(false);
        let after = b.get(i + 6).is_some_and(u8::is_ascii_digit);
        (run.iter().all(u8::is_ascii_digit) && !before && !after)
            .then(|| String::from_utf8_lossy(run).into_owned())
    })
}
