//! Users for a scenario: log them in (many at once, spread over source addresses) and,
//! when messages will flow, pair them into 1:1 chats.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, stream};
use tokio::time::Instant;

use crate::api::{self, Session};
use crate::mailbox::Mailbox;
use crate::progress::Progress;
use crate::sio::Target;
use crate::{Common, addrs};

/// At most this many logins in flight: the console mailer keeps only the newest 200
/// mails, so every outstanding code must still be among them when the poller looks.
const MAX_LOGIN_CONCURRENCY: usize = 150;

pub struct Setup {
    pub base: String,
    pub target: Target,
    pub ips: Vec<Option<IpAddr>>,
    pub sessions: Vec<Session>,
    /// The 1:1 chat of each user (users 2k and 2k+1 share one); empty when unpaired.
    pub chat_of: Vec<String>,
    pub login_secs: f64,
}

/// A short id, different for every run, that keeps emails and client ids unique.
pub fn run_id() -> String {
    let n = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    format!("{:x}", n % (1 << 48))
}

/// Logs `users` in and, with `pair`, makes user 2k and 2k+1 share a 1:1 chat. `sockets`
/// is how many sockets the scenario will open (it sizes the default source addresses).
pub async fn prepare(common: &Common, users: usize, sockets: usize, pair: bool) -> Result<Setup> {
    if users == 0 || (pair && !users.is_multiple_of(2)) {
        bail!("--users must be even and at least 2 (users are paired into 1:1 chats)");
    }
    let base = common.url.trim_end_matches('/').to_owned();
    let target = Target::from_url(&base).await?;
    let ips = addrs::source_ips(common, users, sockets)?;
    let started = Instant::now();
    let sessions = login_all(common, &base, &ips, users).await?;
    let chat_of = if pair { pair_up(&base, &ips, &sessions).await? } else { Vec::new() };
    Ok(Setup { base, target, ips, sessions, chat_of, login_secs: started.elapsed().as_secs_f64() })
}

/// User `i` logs in from address `i mod n`, so each address carries users/n logins.
async fn login_all(
    common: &Common,
    base: &str,
    ips: &[Option<IpAddr>],
    users: usize,
) -> Result<Vec<Session>> {
    let clients: Vec<reqwest::Client> = ips.iter().map(|ip| api::client(*ip)).collect::<Result<_>>()?;
    let first = clients.first().cloned().context("no source address")?;
    let mailbox = Mailbox::start(first, base);
    let rid = run_id();
    let progress = Progress::start("logged in", users);
    let concurrency = common.login_concurrency.clamp(1, MAX_LOGIN_CONCURRENCY);
    let results: Vec<Result<(usize, Session)>> = stream::iter(0..users)
        .map(|i| {
            let client = clients.get(i % clients.len().max(1)).cloned();
            let (mailbox, progress, rid) = (&mailbox, &progress, &rid);
            async move {
                let client = client.context("no HTTP client")?;
                let email = format!("nb-{rid}-{i}@bench.test");
                let s = api::login(&client, base, mailbox, &email)
                    .await
                    .with_context(|| format!("logging in {email}"))?;
                progress.add(1);
                Ok((i, s))
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    progress.finish();
    let mut sessions: Vec<Option<Session>> = vec![None; users];
    for r in results {
        let (i, s) = r?;
        if let Some(slot) = sessions.get_mut(i) {
            *slot = Some(s);
        }
    }
    sessions.into_iter().collect::<Option<Vec<_>>>().context("a user has no session")
}

async fn pair_up(base: &str, ips: &[Option<IpAddr>], sessions: &[Session]) -> Result<Vec<String>> {
    let client = api::client(ips.first().copied().flatten())?;
    let progress = Progress::start("chats made", sessions.len() / 2);
    let chats: Vec<Result<String>> = stream::iter(sessions.chunks(2))
        .map(|pair| {
            let (client, progress) = (&client, &progress);
            async move {
                let [a, b] = pair else { bail!("odd user count") };
                let c = api::new_chat(client, base, a, &b.user_id).await;
                progress.add(1);
                c
            }
        })
        .buffered(64)
        .collect()
        .await;
    progress.finish();
    let mut chat_of = Vec::with_capacity(sessions.len());
    for c in chats {
        let c = c?;
        chat_of.push(c.clone());
        chat_of.push(c);
    }
    Ok(chat_of)
}
