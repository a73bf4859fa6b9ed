//! One poller of `/dev/mailbox.json` for all concurrent logins.
//!
//! Each login polling the mailbox itself would cost the server one 200-mail JSON
//! answer per login per poll (thousands per second at 100 concurrent logins, all on
//! the server's one core); one shared poller costs ~40 per second whatever the
//! concurrency. The console mailer keeps only the newest 200 mails, so the caller keeps
//! fewer than that many codes outstanding.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::api::six_digits;

const POLL_EVERY: Duration = Duration::from_millis(25);

#[derive(Deserialize)]
struct Mail {
    to: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<String>>>>;

pub struct Mailbox {
    waiters: Waiters,
    _stop: DropGuard,
}

impl Mailbox {
    /// Starts polling `base`/dev/mailbox.json; stops when dropped.
    pub fn start(client: reqwest::Client, base: &str) -> Mailbox {
        let waiters: Waiters = Arc::default();
        let stop = CancellationToken::new();
        let url = format!("{base}/dev/mailbox.json");
        tokio::spawn(poll(client, url, waiters.clone(), stop.clone()));
        Mailbox { waiters, _stop: stop.drop_guard() }
    }

    /// Registers interest in the next code mailed to `email`; call before asking the
    /// server for the mail, so that it cannot be missed.
    pub fn expect(&self, email: &str) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiters.lock() {
            w.insert(email.to_ascii_lowercase(), tx);
        }
        rx
    }

    pub fn forget(&self, email: &str) {
        if let Ok(mut w) = self.waiters.lock() {
            w.remove(&email.to_ascii_lowercase());
        }
    }
}

async fn poll(client: reqwest::Client, url: String, waiters: Waiters, stop: CancellationToken) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if waiters.lock().map(|w| w.is_empty()).unwrap_or(true) {
            continue;
        }
        // A failed poll is retried at the next tick; a login that never gets its code
        // times out with its own message.
        let Ok(mails) = fetch(&client, &url).await else { continue };
        let Ok(mut w) = waiters.lock() else { return };
        for m in mails {
            let to = m.to.to_ascii_lowercase();
            if let Some(code) = six_digits(&m.subject).or_else(|| six_digits(&m.body))
                && let Some(tx) = w.remove(&to)
            {
                let _ = tx.send(code.to_owned());
            }
        }
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<Vec<Mail>> {
    let r = client.get(url).send().await?.error_for_status()?;
    r.json().await.context("reading /dev/mailbox.json")
}
