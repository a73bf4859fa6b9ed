//! Opening thousands of sockets at once, holding idle ones, and leaving politely.

use std::time::Duration;

use anyhow::Result;
use futures_util::{SinkExt, StreamExt, stream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::progress::Progress;
use crate::setup::Setup;
use crate::sio::{self, Ws};

pub struct Opened {
    pub user: usize,
    pub ws: Ws,
    /// TCP connect start → Socket.IO CONNECT answered.
    pub secs: f64,
}

pub struct Batch {
    pub opened: Vec<Opened>,
    pub failed: usize,
    pub first_error: Option<String>,
    /// Wall time of the whole batch.
    pub secs: f64,
}

/// Opens `total` sockets, `per_user` for each user in turn (at most `concurrency`
/// handshakes at a time); socket `g` leaves from source address `g mod n`.
pub async fn open(setup: &Setup, total: usize, per_user: usize, concurrency: usize) -> Batch {
    let n_ips = setup.ips.len().max(1);
    let progress = Progress::start("sockets connected", total);
    let started = Instant::now();
    let results: Vec<(usize, Result<(Ws, f64)>)> = stream::iter(0..total)
        .map(|g| {
            let user = g / per_user.max(1);
            let ip = setup.ips.get(g % n_ips).copied().flatten();
            let token = setup.sessions.get(user).map(|s| s.token.as_str()).unwrap_or_default();
            let (target, progress) = (&setup.target, &progress);
            async move {
                let t = Instant::now();
                let r = sio::connect(target, ip, token).await.map(|ws| (ws, t.elapsed().as_secs_f64()));
                progress.add(1);
                (user, r)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let secs = started.elapsed().as_secs_f64();
    progress.finish();
    let mut batch = Batch { opened: Vec::with_capacity(total), failed: 0, first_error: None, secs };
    for (user, r) in results {
        match r {
            Ok((ws, secs)) => batch.opened.push(Opened { user, ws, secs }),
            Err(e) => {
                batch.failed += 1;
                batch.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    batch
}

/// Leaves like socket.io-client does: DISCONNECT (`41`), then a websocket close.
pub async fn close(ws: &mut Ws) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = ws.send(Message::text("41")).await;
        let _ = ws.close(None).await;
    })
    .await;
}

/// Keeps an idle socket alive (answers pings) until `stop`.
pub async fn hold(mut ws: Ws, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            m = ws.next() => {
                let ping = match m {
                    Some(Ok(Message::Text(t))) => t.as_str() == "2",
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => false,
                };
                if ping && ws.send(Message::text("3")).await.is_err() {
                    return;
                }
            }
        }
    }
    close(&mut ws).await;
}

/// Holds every socket of `batch` until `stop`; await the handles to let them leave.
pub fn hold_all(batch: Batch, stop: &CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
    batch.opened.into_iter().map(|o| tokio::spawn(hold(o.ws, stop.clone()))).collect()
}
