//! `storm`: every client drops its socket at the same moment and reconnects at once.
//!
//! Users paired in 1:1 chats hold their sockets while messages flow over REST at a
//! modest open-loop rate (REST keeps the offered load independent of the sockets being
//! down). At a third of the run every socket is dropped without a goodbye, as when a
//! network path dies, and every one reconnects immediately. Each reconnected socket
//! then catches up as the delivery contract says a client should (`GET
//! /api/v1/chat/:id/events?after=<last seq it saw>`), while live messages keep coming.
//!
//! Reported: the time from the drop until each socket's Socket.IO CONNECT was answered
//! again, and, after merging live and caught-up messages, what the server acked but a
//! socket never got (lost) and what arrived or is stored twice (duplicates).

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::future::OptionFuture;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::api::{self, EVENTS_PAGE};
use crate::bitset::BitSet;
use crate::msg::{Composer, MsgText, RestPoster, parse_text};
use crate::sio::{self, Frame, Target, Ws};
use crate::stats::{Quantiles, histogram};
use crate::{StormArgs, conns, procstat, setup};

/// Reconnect tries per socket before it counts as never back.
const RECONNECT_TRIES: u32 = 10;
const RECONNECT_PAUSE: Duration = Duration::from_millis(250);
/// HTTP clients for catch-up requests (their connections count as open files).
const READERS: usize = 16;

struct Shared {
    base: String,
    target: Target,
    storm: CancellationToken,
    storm_at: OnceLock<Instant>,
    /// Per user: the sender sequence numbers the server answered 2xx.
    acked: Vec<Mutex<BitSet>>,
    outstanding: AtomicI64,
    send_errors: AtomicU64,
    errors: Mutex<Vec<String>>,
    catchup_gate: Semaphore,
    readers: Vec<reqwest::Client>,
    /// Sockets that are back and caught up, or gave up.
    settled: AtomicUsize,
}

impl Shared {
    fn error(&self, e: String) {
        if let Ok(mut g) = self.errors.lock()
            && g.len() < 5
        {
            g.push(e);
        }
    }
    fn since_storm(&self) -> f64 {
        self.storm_at.get().map_or(0.0, |t| t.elapsed().as_secs_f64())
    }
}

/// Who a socket is, to reconnect as the same client.
struct Client {
    user: usize,
    partner: usize,
    chat: String,
    token: String,
    ip: Option<IpAddr>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CatchUp {
    NotNeeded,
    Done,
    /// The server has no events endpoint (the bare relay).
    Unavailable,
    Failed,
}

struct SockReport {
    partner: usize,
    live: BitSet,
    caught: BitSet,
    /// The chat seq each of the partner's messages came with.
    chat_seq_of: HashMap<u64, i64>,
    live_dups: u64,
    stored_dups: u64,
    back_secs: Option<f64>,
    catchup_secs: Option<f64>,
    catchup: CatchUp,
    reconnect_tries: u32,
    dropped_by_server: bool,
}

impl SockReport {
    fn new(partner: usize) -> SockReport {
        SockReport {
            partner,
            live: BitSet::default(),
            caught: BitSet::default(),
            chat_seq_of: HashMap::new(),
            live_dups: 0,
            stored_dups: 0,
            back_secs: None,
            catchup_secs: None,
            catchup: CatchUp::NotNeeded,
            reconnect_tries: 0,
            dropped_by_server: false,
        }
    }

    /// Accounts one message of this chat; returns its chat seq.
    fn record(&mut self, m: &MsgText, live: bool) -> Option<i64> {
        let (sender, q, _) = parse_text(&m.text)?;
        if sender != self.partner {
            return m.seq;
        }
        if let Some(cs) = m.seq
            && let Some(old) = self.chat_seq_of.insert(q, cs)
            && old != cs
        {
            self.stored_dups += 1;
        }
        if live {
            if !self.live.insert(q) {
                self.live_dups += 1;
            }
        } else {
            self.caught.insert(q);
        }
        m.seq
    }
}

type CatchUpFuture = Pin<Box<dyn Future<Output = Result<Option<Vec<MsgText>>>> + Send>>;

enum Outcome {
    Stop,
    Storm,
    Closed,
}

/// Reads one connection until stop, the storm, or its end; drives the catch-up too.
async fn serve(
    ws: &mut Ws,
    rep: &mut SockReport,
    last_seq: &mut i64,
    catchup: &mut Option<CatchUpFuture>,
    stormed: bool,
    sh: &Shared,
    stop: &CancellationToken,
) -> Outcome {
    loop {
        tokio::select! {
            () = stop.cancelled() => return Outcome::Stop,
            () = sh.storm.cancelled(), if !stormed => return Outcome::Storm,
            Some(r) = OptionFuture::from(catchup.as_mut()), if catchup.is_some() => {
                *catchup = None;
                rep.catchup = match r {
                    Ok(Some(msgs)) => {
                        for m in &msgs {
                            rep.record(m, false);
                        }
                        CatchUp::Done
                    }
                    Ok(None) => CatchUp::Unavailable,
                    Err(e) => {
                        sh.error(format!("catch-up: {e:#}"));
                        CatchUp::Failed
                    }
                };
                rep.catchup_secs = Some(sh.since_storm());
                sh.settled.fetch_add(1, Ordering::Relaxed);
            }
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => match sio::classify(t.as_str()) {
                    Frame::Ping => {
                        if ws.send(Message::text("3")).await.is_err() {
                            return Outcome::Closed;
                        }
                    }
                    Frame::NewMessage(body) => {
                        if let Ok((_, m)) = serde_json::from_str::<(serde::de::IgnoredAny, MsgText)>(body)
                            && let Some(cs) = rep.record(&m, true)
                        {
                            *last_seq = (*last_seq).max(cs);
                        }
                    }
                    Frame::Disconnect => return Outcome::Closed,
                    Frame::Ack(..) | Frame::Other => {}
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Outcome::Closed,
                Some(Ok(_)) => {}
            }
        }
    }
}

async fn reconnect(c: &Client, sh: &Shared, rep: &mut SockReport) -> Option<Ws> {
    loop {
        rep.reconnect_tries += 1;
        match sio::connect(&sh.target, c.ip, &c.token).await {
            Ok(ws) => return Some(ws),
            Err(e) if rep.reconnect_tries >= RECONNECT_TRIES => {
                sh.error(format!("reconnect: {e:#}"));
                return None;
            }
            Err(_) => tokio::time::sleep(RECONNECT_PAUSE).await,
        }
    }
}

/// Every event of the chat after `after`, page by page.
async fn catch_up(
    sh: Arc<Shared>,
    c: usize,
    token: String,
    chat: String,
    after: i64,
) -> Result<Option<Vec<MsgText>>> {
    let _permit = sh.catchup_gate.acquire().await.context("catch-up gate closed")?;
    let reader = sh.readers.get(c % sh.readers.len().max(1)).context("no HTTP client")?;
    let mut out = Vec::new();
    let mut after = after;
    loop {
        let Some(page) = api::events(reader, &sh.base, &token, &chat, after).await? else {
            return Ok(None);
        };
        let n = page.events.len();
        for e in page.events {
            after = after.max(e.seq);
            out.push(MsgText { text: e.payload.text, seq: Some(e.seq) });
        }
        if n < EVENTS_PAGE || after >= page.last_seq {
            return Ok(Some(out));
        }
    }
}

async fn socket_task(mut ws: Ws, c: Client, sh: Arc<Shared>, stop: CancellationToken) -> SockReport {
    let mut rep = SockReport::new(c.partner);
    let mut last_seq = 0i64;
    let mut catchup: Option<CatchUpFuture> = None;
    let mut stormed = false;
    loop {
        match serve(&mut ws, &mut rep, &mut last_seq, &mut catchup, stormed, &sh, &stop).await {
            Outcome::Stop => {
                conns::close(&mut ws).await;
                return rep;
            }
            Outcome::Closed => {
                rep.dropped_by_server = true;
                // Settled already unless still waiting for the storm or its catch-up.
                if !stormed || catchup.is_some() {
                    sh.settled.fetch_add(1, Ordering::Relaxed);
                }
                return rep;
            }
            Outcome::Storm => {
                stormed = true;
                // Gone without a goodbye: the fd is closed before the new one opens.
                drop(ws);
                let Some(fresh) = reconnect(&c, &sh, &mut rep).await else {
                    sh.settled.fetch_add(1, Ordering::Relaxed);
                    return rep;
                };
                ws = fresh;
                rep.back_secs = Some(sh.since_storm());
                catchup =
                    Some(Box::pin(catch_up(sh.clone(), c.user, c.token.clone(), c.chat.clone(), last_seq)));
            }
        }
    }
}

#[derive(Serialize)]
struct StormReport {
    url: String,
    users: usize,
    sockets: usize,
    rate: f64,
    duration_secs: f64,
    storm_at_secs: f64,
    attempted: u64,
    acked: u64,
    send_errors: u64,
    /// Drop → Socket.IO CONNECT answered again, per socket.
    back: Quantiles,
    back_count: usize,
    never_back: usize,
    /// The slowest socket's time back: "all back within X s" when `never_back` is 0.
    all_back_within_secs: Option<f64>,
    reconnect_retries: u64,
    /// `done`, or `unavailable` (no events endpoint: loss is as seen live only), or
    /// `partial` when some catch-ups failed.
    catchup: String,
    /// Drop → catch-up answered, per socket.
    catchup_time: Quantiles,
    /// Partner messages that came only by catch-up.
    recovered_by_catchup: u64,
    expected: u64,
    received: u64,
    /// Acked, and neither received live nor by catch-up.
    lost: u64,
    /// Acked and not received live (what a client without catch-up would miss).
    missed_live: u64,
    live_duplicates: u64,
    /// One sender message held under two chat seqs.
    stored_duplicates: u64,
    sockets_dropped_by_server: usize,
    server_cpu_secs: Option<f64>,
    server_rss_max_mb: Option<f64>,
    errors: Vec<String>,
}

pub async fn storm_cmd(a: StormArgs) -> Result<()> {
    if a.rate <= 0.0 || a.duration <= 0.0 {
        bail!("--rate and --duration must be positive");
    }
    let k = a.sockets_per_user.max(1);
    let setup = setup::prepare(&a.common, a.users, a.users * k, true).await?;
    let batch = conns::open(&setup, a.users * k, k, a.connect_concurrency).await;
    if batch.failed > 0 {
        bail!("{} sockets failed to connect: {}", batch.failed, batch.first_error.unwrap_or_default());
    }
    let readers = setup.ips.iter().take(READERS).map(|ip| api::client(*ip)).collect::<Result<Vec<_>>>()?;
    let sh = Arc::new(Shared {
        base: setup.base.clone(),
        target: setup.target.clone(),
        storm: CancellationToken::new(),
        storm_at: OnceLock::new(),
        acked: (0..a.users).map(|_| Mutex::new(BitSet::default())).collect(),
        outstanding: AtomicI64::new(0),
        send_errors: AtomicU64::new(0),
        errors: Mutex::new(Vec::new()),
        catchup_gate: Semaphore::new(a.catchup_concurrency.max(1)),
        readers,
        settled: AtomicUsize::new(0),
    });
    let stop = CancellationToken::new();
    let n_ips = setup.ips.len().max(1);
    let mut tasks = Vec::new();
    for (g, o) in batch.opened.into_iter().enumerate() {
        let c = Client {
            user: o.user,
            partner: o.user ^ 1,
            chat: setup.chat_of.get(o.user).cloned().unwrap_or_default(),
            token: setup.sessions.get(o.user).map(|s| s.token.clone()).unwrap_or_default(),
            // The same spread as the first connect (`conns::open`).
            ip: setup.ips.get(g % n_ips).copied().flatten(),
        };
        tasks.push(tokio::spawn(socket_task(o.ws, c, sh.clone(), stop.clone())));
    }
    let sockets = tasks.len();
    let sampler_stop = CancellationToken::new();
    let series = a.common.server_pid.map(|p| procstat::spawn_sampler(p.to_string(), sampler_stop.clone()));
    // Let the server finish joining rooms before the first send.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let t0 = Instant::now() + Duration::from_millis(100);
    let storm_after = Duration::from_secs_f64(a.duration / 3.0);
    {
        let sh = sh.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(t0 + storm_after).await;
            let _ = sh.storm_at.set(Instant::now());
            eprintln!("natter-bench: storm: dropping all sockets");
            sh.storm.cancel();
        });
    }
    let composer = Composer::new(&setup, a.size);
    let poster = RestPoster::new(&setup)?;
    let total = (a.rate * a.duration).round() as u64;
    let mut next_seq = vec![0u64; a.users];
    for i in 0..total {
        let offset = Duration::from_secs_f64(i as f64 / a.rate);
        tokio::time::sleep_until(t0 + offset).await;
        let s = usize::try_from(i % a.users as u64).unwrap_or(0);
        let Some(slot) = next_seq.get_mut(s) else { continue };
        let seq = *slot;
        *slot += 1;
        let payload = composer.payload(s, seq, u64::try_from(offset.as_micros()).unwrap_or(u64::MAX));
        sh.outstanding.fetch_add(1, Ordering::Relaxed);
        let (poster, sh) = (poster.clone(), sh.clone());
        tokio::spawn(async move {
            match poster.post(s, payload).await {
                Ok(()) => {
                    if let Some(Ok(mut b)) = sh.acked.get(s).map(|m| m.lock()) {
                        b.insert(seq);
                    }
                }
                Err(e) => {
                    sh.send_errors.fetch_add(1, Ordering::Relaxed);
                    sh.error(format!("{e:#}"));
                }
            }
            sh.outstanding.fetch_sub(1, Ordering::Relaxed);
        });
    }

    // Wait for every send's answer and every socket to be back and caught up, then a
    // moment for live frames still on the wire.
    let drain_until = Instant::now() + Duration::from_secs_f64(a.drain.max(0.0));
    while Instant::now() < drain_until {
        if sh.outstanding.load(Ordering::Relaxed) <= 0 && sh.settled.load(Ordering::Relaxed) >= sockets {
            tokio::time::sleep(Duration::from_millis(500)).await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sampler_stop.cancel();
    stop.cancel();
    let mut reports = Vec::with_capacity(sockets);
    for t in tasks {
        reports.push(t.await.context("socket task")?);
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let r = summarize(&a, &setup.base, sockets, total, &sh, &reports, series.as_deref())?;
    print(&r, a.common.json)
}

fn summarize(
    a: &StormArgs,
    url: &str,
    sockets: usize,
    attempted: u64,
    sh: &Shared,
    reports: &[SockReport],
    series: Option<&Mutex<procstat::Series>>,
) -> Result<StormReport> {
    let acked: Vec<BitSet> =
        sh.acked.iter().map(|m| m.lock().map(|b| b.clone()).unwrap_or_default()).collect();
    let (mut back, mut catchup_h) = (histogram()?, histogram()?);
    let (mut expected, mut received, mut live_got, mut recovered) = (0u64, 0u64, 0u64, 0u64);
    let (mut live_dups, mut stored_dups, mut retries) = (0u64, 0u64, 0u64);
    let (mut never_back, mut dropped, mut unavailable, mut failed) = (0usize, 0usize, 0usize, 0usize);
    let mut slowest: f64 = 0.0;
    for r in reports {
        let want = acked.get(r.partner).cloned().unwrap_or_default();
        let mut got = r.live.clone();
        got.union_with(&r.caught);
        expected += want.len();
        received += got.intersection_len(&want);
        live_got += r.live.intersection_len(&want);
        recovered += got.intersection_len(&want) - r.live.intersection_len(&want);
        live_dups += r.live_dups;
        stored_dups += r.stored_dups;
        retries += u64::from(r.reconnect_tries.saturating_sub(1));
        dropped += usize::from(r.dropped_by_server);
        match r.back_secs {
            Some(s) => {
                back.saturating_record((s * 1e6) as u64);
                slowest = slowest.max(s);
            }
            None => never_back += 1,
        }
        if let Some(s) = r.catchup_secs {
            catchup_h.saturating_record((s * 1e6) as u64);
        }
        match r.catchup {
            CatchUp::Unavailable => unavailable += 1,
            CatchUp::Failed => failed += 1,
            CatchUp::Done | CatchUp::NotNeeded => {}
        }
    }
    let catchup = if unavailable > 0 {
        "unavailable"
    } else if failed > 0 || never_back > 0 {
        "partial"
    } else {
        "done"
    };
    let (cpu, rss) = match series.and_then(|s| s.lock().ok()) {
        Some(g) => (Some(g.cpu_between()), Some(g.rss_first_last_max().2 as f64 / 1024.0)),
        None => (None, None),
    };
    Ok(StormReport {
        url: url.to_owned(),
        users: a.users,
        sockets,
        rate: a.rate,
        duration_secs: a.duration,
        storm_at_secs: a.duration / 3.0,
        attempted,
        acked: acked.iter().map(BitSet::len).sum(),
        send_errors: sh.send_errors.load(Ordering::Relaxed),
        back: Quantiles::of(&back),
        back_count: sockets - never_back,
        never_back,
        all_back_within_secs: (never_back == 0).then_some(slowest),
        reconnect_retries: retries,
        catchup: catchup.to_owned(),
        catchup_time: Quantiles::of(&catchup_h),
        recovered_by_catchup: recovered,
        expected,
        received,
        lost: expected - received,
        missed_live: expected - live_got,
        live_duplicates: live_dups,
        stored_duplicates: stored_dups,
        sockets_dropped_by_server: dropped,
        server_cpu_secs: cpu,
        server_rss_max_mb: rss,
        errors: sh.errors.lock().map(|g| g.clone()).unwrap_or_default(),
    })
}

fn print(r: &StormReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    let b = &r.back;
    println!("natter-bench storm  {}", r.url);
    println!(
        "  {} users x {} sockets, {} msgs/s over REST for {} s, all sockets dropped at {:.1} s",
        r.users,
        r.sockets / r.users.max(1),
        r.rate,
        r.duration_secs,
        r.storm_at_secs
    );
    println!("  sent {} attempted, {} acked, {} errors", r.attempted, r.acked, r.send_errors);
    println!(
        "  back {}/{}: p50 {:.0}  p99 {:.0}  max {:.0} ms ({} retries){}",
        r.back_count,
        r.sockets,
        b.p50_ms,
        b.p99_ms,
        b.max_ms,
        r.reconnect_retries,
        r.all_back_within_secs.map(|s| format!(": all back within {s:.2} s")).unwrap_or_default()
    );
    let c = &r.catchup_time;
    println!(
        "  catch-up {}: p50 {:.0}  p99 {:.0}  max {:.0} ms after the drop, {} messages recovered",
        r.catchup, c.p50_ms, c.p99_ms, c.max_ms, r.recovered_by_catchup
    );
    let label = if r.catchup == "unavailable" { " (live only: the server has no catch-up)" } else { "" };
    println!(
        "  received {}/{}: lost {}{label}, missed live {}, duplicates live {} / stored {}",
        r.received, r.expected, r.lost, r.missed_live, r.live_duplicates, r.stored_duplicates
    );
    if r.sockets_dropped_by_server > 0 {
        println!("  {} sockets closed by the server", r.sockets_dropped_by_server);
    }
    if let (Some(cpu), Some(rss)) = (r.server_cpu_secs, r.server_rss_max_mb) {
        println!("  server CPU {cpu:.2} s, RSS max {rss:.1} MB");
    }
    for e in &r.errors {
        println!("  error: {e}");
    }
    Ok(())
}
