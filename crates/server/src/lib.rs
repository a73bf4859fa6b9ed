//! The natter binary as a library: `Application::build` binds first and exposes the
//! port, so tests start the real server on port 0.

pub mod config;
mod wiring;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use natter_app::auth::{AuthPolicy, AuthService};
use natter_app::health::Health;
use natter_app::mail::{MailWorker, RetryPolicy};
use natter_app::secrets::Secrets;
use natter_app::users::UserService;
use natter_domain::ports::Clock;
use natter_http::{AppState, Origins};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use config::{RawConfig, Settings};

/// Test seams: the rules' numbers and the clock. Production uses the defaults.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub auth_policy: Option<AuthPolicy>,
    pub retry_policy: Option<RetryPolicy>,
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    mail_worker: Option<MailWorker>,
    settings: Settings,
    console_mailer: bool,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Overrides::default()).await
    }

    pub async fn build_with(settings: Settings, overrides: Overrides) -> anyhow::Result<Self> {
        let ports = wiring::ports(&settings, overrides.clock).await?;
        let secrets = Secrets::derive(&wiring::master_secret(&settings.data_dir)?);
        let mail_wake = Arc::new(Notify::new());
        let auth = AuthService::new(
            ports.store.clone(),
            ports.limiter.clone(),
            ports.clock.clone(),
            &secrets,
            overrides.auth_policy.unwrap_or_default(),
            mail_wake.clone(),
        );
        let state = AppState {
            auth: Arc::new(auth),
            users: Arc::new(UserService::new(ports.store.clone(), ports.clock.clone())),
            health: Arc::new(Health::new(ports.store.clone())),
            mailbox: ports.mailbox.clone(),
            origins: Arc::new(Origins::new(&settings.public_origin(), &settings.allowed_origins)),
            secure_cookies: settings.public_url.scheme() == "https",
        };
        let mail_worker = settings.roles.mail.then(|| {
            MailWorker::new(
                ports.store.clone(),
                ports.mailer.clone(),
                ports.clock.clone(),
                mail_wake,
                overrides.retry_policy.unwrap_or_default(),
            )
        });
        let listener = TcpListener::bind(settings.listen).await.with_context(|| {
            format!("cannot listen on {}; set NATTER_LISTEN to a free address", settings.listen)
        })?;
        Ok(Self {
            listener,
            router: natter_http::router(state),
            mail_worker,
            console_mailer: ports.mailbox.is_some(),
            settings,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
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
        let worker = self.mail_worker.map(|w| {
            let stop = stop.clone();
            tokio::spawn(async move { w.run(stop.cancelled_owned()).await })
        });
        let serve_stop = stop.clone();
        let server =
            axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    tokio::select! {
                        () = shutdown => {}
                        () = serve_stop.cancelled() => {}
                    }
                });
        let result = server.await.context("the HTTP server failed");
        stop.cancel();
        if let Some(w) = worker {
            let _ = w.await;
        }
        tracing::info!("stopped");
        result
    }

    fn announce(&self, addr: SocketAddr) {
        let s = &self.settings;
        tracing::info!(roles = %s.roles, data_dir = %s.data_dir.display(), "natter listening on http://{addr}");
        println!("natter is listening on http://{addr} (open {})", s.public_url);
        if self.console_mailer {
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
