//! `run` and `smoke`.
//!
//! Open loop: message `i` of the run has the intended send time `t0 + i / rate`,
//! whatever happened to the messages before it. Every receiving socket measures its
//! latency from the *intended* time carried in the text (see `msg.rs`), so a stalled
//! server or generator shows up as latency, not as fewer samples, and counts loss,
//! duplicates and reordering per sender without any shared state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::bitset::BitSet;
use crate::msg::{Composer, MsgText, RestPoster, parse_text};
use crate::procstat::{self, Series};
use crate::setup::{self, Setup};
use crate::sio::{self, Frame, Ws};
use crate::stats::{Quantiles, histogram};
use crate::{Common, RunArgs, Via, conns};

/// The longest wait for an overloaded server to go idle between points.
const SETTLE_MAX: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- shared state

struct Shared {
    t0: Instant,
    lat: Mutex<Histogram<u64>>,
    ack: Mutex<Histogram<u64>>,
    acked: Vec<Mutex<BitSet>>,
    delivered: AtomicU64,
    echoed: AtomicU64,
    outstanding: AtomicI64,
    send_errors: AtomicU64,
    dropped: AtomicU64,
    errors: Mutex<Vec<String>>,
}

impl Shared {
    fn error(&self, e: String) {
        self.send_errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut g) = self.errors.lock()
            && g.len() < 5
        {
            g.push(e);
        }
    }
    fn since_intended(&self, intended_us: u64) -> u64 {
        let now = u64::try_from(self.t0.elapsed().as_micros()).unwrap_or(u64::MAX);
        now.saturating_sub(intended_us).max(1)
    }
    fn acked(&self, sender: usize, seq: u64, intended_us: u64) {
        if let Some(m) = self.acked.get(sender)
            && let Ok(mut b) = m.lock()
        {
            b.insert(seq);
        }
        let d = self.since_intended(intended_us);
        if let Ok(mut h) = self.ack.lock() {
            h.saturating_record(d);
        }
    }
    fn acked_total(&self) -> u64 {
        self.acked.iter().map(|m| m.lock().map(|b| b.len()).unwrap_or(0)).sum()
    }
}

struct SendCmd {
    payload: String,
    seq: u64,
    intended_us: u64,
}

#[derive(Default)]
struct SockReport {
    user: usize,
    partner: usize,
    recv: BitSet,
    echo: BitSet,
    dups: u64,
    reorders: u64,
    send_order_inversions: u64,
    unknown: u64,
    unacked: u64,
    disconnected: bool,
}

#[derive(Deserialize)]
struct AckBody {
    message: Option<serde::de::IgnoredAny>,
    error: Option<serde_json::Value>,
}

/// One socket: sends what the scheduler hands it (with ack ids), answers pings, and
/// accounts every `newMessage` it gets.
async fn socket_task(
    mut ws: Ws,
    user: usize,
    partner: usize,
    sh: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<SendCmd>,
    stop: CancellationToken,
) -> SockReport {
    let mut rep = SockReport { user, partner, ..SockReport::default() };
    let mut next_ack: u64 = 0;
    let mut pending: HashMap<u64, (u64, u64)> = HashMap::new();
    let mut max_seq: Option<u64> = None;
    let mut max_chat_seq: Option<i64> = None;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            Some(cmd) = rx.recv() => {
                let id = next_ack;
                next_ack += 1;
                pending.insert(id, (cmd.seq, cmd.intended_us));
                let frame = format!("42{id}[\"sendMessage\",{}]", cmd.payload);
                if let Err(e) = ws.send(Message::text(frame)).await {
                    pending.remove(&id);
                    sh.outstanding.fetch_sub(1, Ordering::Relaxed);
                    sh.error(format!("socket send: {e}"));
                    rep.disconnected = true;
                    break;
                }
            }
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => match sio::classify(t.as_str()) {
                    Frame::Ping => {
                        if ws.send(Message::text("3")).await.is_err() {
                            rep.disconnected = true;
                            break;
                        }
                    }
                    Frame::NewMessage(body) => {
                        let msg = serde_json::from_str::<(serde::de::IgnoredAny, MsgText)>(body).ok().map(|(_, m)| m);
                        // Each socket sees one chat: the server's seq must only grow.
                        if let Some(cs) = msg.as_ref().and_then(|m| m.seq) {
                            if max_chat_seq.is_some_and(|m| cs <= m) {
                                rep.reorders += 1;
                            }
                            max_chat_seq = Some(max_chat_seq.map_or(cs, |m| m.max(cs)));
                        }
                        let parsed = msg.as_ref().and_then(|m| parse_text(&m.text));
                        match parsed {
                            Some((s, q, us)) if s == partner => {
                                if rep.recv.insert(q) {
                                    sh.delivered.fetch_add(1, Ordering::Relaxed);
                                    let d = sh.since_intended(us);
                                    if let Ok(mut h) = sh.lat.lock() {
                                        h.saturating_record(d);
                                    }
                                    if max_seq.is_some_and(|m| q < m) {
                                        rep.send_order_inversions += 1;
                                    }
                                    max_seq = Some(max_seq.map_or(q, |m| m.max(q)));
                                } else {
                                    rep.dups += 1;
                                }
                            }
                            Some((s, q, _)) if s == user => {
                                if rep.echo.insert(q) {
                                    sh.echoed.fetch_add(1, Ordering::Relaxed);
                                } else {
                                    rep.dups += 1;
                                }
                            }
                            _ => rep.unknown += 1,
                        }
                    }
                    Frame::Ack(id, body) => {
                        if let Some((seq, us)) = pending.remove(&id) {
                            sh.outstanding.fetch_sub(1, Ordering::Relaxed);
                            match serde_json::from_str::<Vec<AckBody>>(body) {
                                Ok(v) if v.first().is_some_and(|a| a.message.is_some() && a.error.is_none()) => {
                                    sh.acked(user, seq, us);
                                }
                                Ok(v) => sh.error(format!(
                                    "ack error: {}",
                                    v.first().and_then(|a| a.error.clone()).unwrap_or_default()
                                )),
                                Err(e) => sh.error(format!("bad ack {body}: {e}")),
                            }
                        }
                    }
                    Frame::Disconnect => {
                        rep.disconnected = true;
                        break;
                    }
                    Frame::Other => {}
                },
                Some(Ok(Message::Close(_))) | None => {
                    rep.disconnected = true;
                    break;
                }
                Some(Err(e)) => {
                    sh.error(format!("socket read: {e}"));
                    rep.disconnected = true;
                    break;
                }
                Some(Ok(_)) => {}
            }
        }
    }
    rep.unacked = pending.len() as u64;
    conns::close(&mut ws).await;
    rep
}

// ---------------------------------------------------------------- report

#[derive(Serialize, Default, Debug, Clone)]
pub struct ServerCost {
    pub cpu_secs: f64,
    pub wall_secs: f64,
    pub avg_cpu_pct: f64,
    pub peak_cpu_pct: f64,
    pub rss_start_mb: f64,
    pub rss_end_mb: f64,
    pub rss_max_mb: f64,
    pub messages_per_cpu_sec: f64,
    pub deliveries_per_cpu_sec: f64,
}

#[derive(Serialize, Default, Debug, Clone)]
pub struct Report {
    pub url: String,
    pub via: String,
    pub users: usize,
    pub sockets_per_user: usize,
    pub sockets: usize,
    pub rate: f64,
    pub duration_secs: f64,
    pub size: usize,
    pub login_secs: f64,
    pub connect_secs: f64,
    pub attempted: u64,
    pub acked: u64,
    pub send_errors: u64,
    pub unacked: u64,
    pub dropped: u64,
    pub achieved_rate: f64,
    pub expected_deliveries: u64,
    pub delivered: u64,
    pub delivered_pct: f64,
    pub lost: u64,
    pub duplicated: u64,
    /// `newMessage` frames whose chat `seq` was not above the last one this socket saw
    /// (the server broke its one order, or sent a frame twice).
    pub reordered: u64,
    /// Messages of one sender that arrived in another order than they were sent:
    /// informational. Normal for REST (concurrent requests) and with more than one socket
    /// per user (a sender's messages alternate between its sockets); with one socket per
    /// user over Socket.IO it would be a server bug.
    pub send_order_inversions: u64,
    pub delivered_unacked: u64,
    pub echoes_to_sender: u64,
    /// Answered sends that never reached one of the sender's own sockets.
    pub echoes_missing: u64,
    pub disconnected_sockets: u64,
    pub latency: Quantiles,
    pub ack_latency: Quantiles,
    pub schedule_lag: Quantiles,
    pub valid: bool,
    pub invalid_reason: Option<String>,
    pub generator_cpu_pct: f64,
    pub server: Option<ServerCost>,
    pub errors: Vec<String>,
}

impl Report {
    pub fn print_table(&self) {
        let l = |name: &str, v: String| println!("  {name:<26} {v}");
        let verdict = if self.valid {
            "VALID".to_owned()
        } else {
            format!("INVALID ({})", self.invalid_reason.clone().unwrap_or_default())
        };
        println!("natter-bench run  {}  via {}  {verdict}", self.url, self.via);
        l(
            "load",
            format!(
                "{} users x {} sockets = {} sockets, {} msgs/s for {} s, {} B",
                self.users, self.sockets_per_user, self.sockets, self.rate, self.duration_secs, self.size
            ),
        );
        l("setup", format!("login {:.2} s, connect {:.2} s", self.login_secs, self.connect_secs));
        l(
            "sent",
            format!(
                "{} attempted ({:.1}/s), {} acked, {} errors, {} unanswered, {} dropped",
                self.attempted, self.achieved_rate, self.acked, self.send_errors, self.unacked, self.dropped
            ),
        );
        l(
            "delivered",
            format!(
                "{}/{} ({:.3} %), lost {}, duplicated {}, reordered {} (seq), {} out of send order",
                self.delivered,
                self.expected_deliveries,
                self.delivered_pct,
                self.lost,
                self.duplicated,
                self.reordered,
                self.send_order_inversions
            ),
        );
        l(
            "other",
            format!(
                "{} delivered without ack, {} echoes to sender sockets ({} missing), {} sockets dropped",
                self.delivered_unacked, self.echoes_to_sender, self.echoes_missing, self.disconnected_sockets
            ),
        );
        let q = |x: &Quantiles| {
            format!(
                "p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2} ms  (n={})",
                x.p50_ms, x.p90_ms, x.p99_ms, x.p999_ms, x.max_ms, x.count
            )
        };
        l("latency (intended→recv)", q(&self.latency));
        l("ack (intended→ack)", q(&self.ack_latency));
        l("schedule lag", q(&self.schedule_lag));
        l("generator CPU", format!("{:.0} % of one core", self.generator_cpu_pct));
        if let Some(s) = &self.server {
            l(
                "server CPU",
                format!(
                    "{:.2} s over {:.1} s: avg {:.0} %, peak {:.0} % of one core",
                    s.cpu_secs, s.wall_secs, s.avg_cpu_pct, s.peak_cpu_pct
                ),
            );
            l(
                "server RSS",
                format!("{:.1} → {:.1} MB (max {:.1})", s.rss_start_mb, s.rss_end_mb, s.rss_max_mb),
            );
            l(
                "per server CPU-second",
                format!(
                    "{:.0} messages, {:.0} socket deliveries",
                    s.messages_per_cpu_sec, s.deliveries_per_cpu_sec
                ),
            );
        }
        for e in &self.errors {
            l("error", e.clone());
        }
    }
}

fn server_cost(series: &Series, acked: u64, delivered: u64) -> ServerCost {
    let cpu = series.cpu_between();
    let wall = series.wall();
    let (a, b, m) = series.rss_first_last_max();
    let per = |n: u64| if cpu > 0.0 { n as f64 / cpu } else { 0.0 };
    ServerCost {
        cpu_secs: cpu,
        wall_secs: wall,
        avg_cpu_pct: if wall > 0.0 { 100.0 * cpu / wall } else { 0.0 },
        peak_cpu_pct: series.peak_cpu_pct(),
        rss_start_mb: a as f64 / 1024.0,
        rss_end_mb: b as f64 / 1024.0,
        rss_max_mb: m as f64 / 1024.0,
        messages_per_cpu_sec: per(acked),
        deliveries_per_cpu_sec: per(delivered),
    }
}

// ---------------------------------------------------------------- the load

/// One point: `rate` msgs/s over `via` for `a.duration` seconds, on fresh sockets.
pub async fn load(setup: &Setup, a: &RunArgs, via: Via, rate: f64) -> Result<Report> {
    let users = setup.sessions.len();
    let k = a.sockets_per_user.max(1);
    if rate <= 0.0 || a.duration <= 0.0 {
        bail!("--rate and --duration must be positive");
    }
    let connect_started = Instant::now();
    let batch = conns::open(setup, users * k, k, a.connect_concurrency).await;
    if batch.failed > 0 {
        bail!(
            "{} of {} sockets failed to connect: {}",
            batch.failed,
            users * k,
            batch.first_error.unwrap_or_default()
        );
    }
    let connect_secs = connect_started.elapsed().as_secs_f64();

    let stop = CancellationToken::new();
    // A short pause so the server has finished joining rooms before the first send.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = Instant::now() + Duration::from_millis(100);
    let sh = Arc::new(Shared {
        t0,
        lat: Mutex::new(histogram()?),
        ack: Mutex::new(histogram()?),
        acked: (0..users).map(|_| Mutex::new(BitSet::default())).collect(),
        delivered: AtomicU64::new(0),
        echoed: AtomicU64::new(0),
        outstanding: AtomicI64::new(0),
        send_errors: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        errors: Mutex::new(Vec::new()),
    });
    let mut senders: Vec<Vec<mpsc::UnboundedSender<SendCmd>>> = vec![Vec::new(); users];
    let mut tasks = Vec::new();
    for conns::Opened { user: u, ws, .. } in batch.opened {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Some(v) = senders.get_mut(u) {
            v.push(tx);
        }
        let partner = u ^ 1;
        tasks.push(tokio::spawn(socket_task(ws, u, partner, sh.clone(), rx, stop.clone())));
    }

    let sampler_stop = CancellationToken::new();
    let series = a.common.server_pid.map(|p| procstat::spawn_sampler(p.to_string(), sampler_stop.clone()));
    let self_before = procstat::sample("self");
    let wall_before = Instant::now();

    let composer = Composer::new(setup, a.size);
    let poster = RestPoster::new(setup)?;

    let total = (rate * a.duration).round() as u64;
    let interval_ns = 1e9 / rate;
    let mut lag = histogram()?;
    let mut next_seq = vec![0u64; users];
    let mut attempted = 0u64;
    for i in 0..total {
        let offset = Duration::from_nanos((i as f64 * interval_ns) as u64);
        let intended = t0 + offset;
        if intended > Instant::now() {
            tokio::time::sleep_until(intended).await;
        }
        lag.saturating_record(u64::try_from(intended.elapsed().as_micros()).unwrap_or(u64::MAX).max(1));
        let s = usize::try_from(i % users as u64).unwrap_or(0);
        let Some(seq_slot) = next_seq.get_mut(s) else { continue };
        let seq = *seq_slot;
        *seq_slot += 1;
        let intended_us = u64::try_from(offset.as_micros()).unwrap_or(u64::MAX);
        let payload = composer.payload(s, seq, intended_us);
        attempted += 1;
        match via {
            Via::Socket => {
                let Some(tx) = senders.get(s).and_then(|v| v.get((seq as usize) % v.len().max(1))) else {
                    sh.error(format!("user {s} has no socket"));
                    continue;
                };
                sh.outstanding.fetch_add(1, Ordering::Relaxed);
                if tx.send(SendCmd { payload, seq, intended_us }).is_err() {
                    sh.outstanding.fetch_sub(1, Ordering::Relaxed);
                    sh.error(format!("socket of user {s} is gone"));
                }
            }
            Via::Rest => {
                if sh.outstanding.load(Ordering::Relaxed) >= a.max_inflight as i64 {
                    sh.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                sh.outstanding.fetch_add(1, Ordering::Relaxed);
                let (poster, sh) = (poster.clone(), sh.clone());
                tokio::spawn(async move {
                    match poster.post(s, payload).await {
                        Ok(()) => sh.acked(s, seq, intended_us),
                        Err(e) => sh.error(format!("{e:#}")),
                    }
                    sh.outstanding.fetch_sub(1, Ordering::Relaxed);
                });
            }
        }
    }
    let send_secs = (Instant::now() - t0).as_secs_f64().max(1e-9);

    // Drain: every answered send should reach all k sockets of the recipient.
    let drain_until = Instant::now() + Duration::from_secs_f64(a.drain.max(0.0));
    while Instant::now() < drain_until {
        let expected = sh.acked_total() * k as u64;
        if sh.outstanding.load(Ordering::Relaxed) <= 0
            && sh.delivered.load(Ordering::Relaxed) >= expected
            && sh.echoed.load(Ordering::Relaxed) >= expected
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sampler_stop.cancel();
    let self_after = procstat::sample("self");
    let wall = wall_before.elapsed().as_secs_f64();
    stop.cancel();
    let mut reports = Vec::new();
    for t in tasks {
        reports.push(t.await.context("socket task")?);
    }
    // Give the sampler its final sample.
    tokio::time::sleep(Duration::from_millis(20)).await;

    let acked_sets: Vec<BitSet> =
        sh.acked.iter().map(|m| m.lock().map(|b| b.clone()).unwrap_or_default()).collect();
    let acked: u64 = acked_sets.iter().map(BitSet::len).sum();
    let (
        mut expected,
        mut delivered,
        mut dups,
        mut reorders,
        mut unacked,
        mut echoes,
        mut unknown,
        mut dropped_socks,
    ) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut delivered_any = 0u64;
    let mut echoes_missing = 0u64;
    let mut inversions = 0u64;
    for r in &reports {
        let want = acked_sets.get(r.partner).cloned().unwrap_or_default();
        expected += want.len();
        delivered += r.recv.intersection_len(&want);
        delivered_any += r.recv.len();
        dups += r.dups;
        reorders += r.reorders;
        inversions += r.send_order_inversions;
        unacked += r.unacked;
        echoes += r.echo.len();
        let mine = acked_sets.get(r.user).cloned().unwrap_or_default();
        echoes_missing += mine.len() - r.echo.intersection_len(&mine);
        unknown += r.unknown;
        dropped_socks += u64::from(r.disconnected);
    }
    let lost = expected - delivered;
    let mut errors = sh.errors.lock().map(|g| g.clone()).unwrap_or_default();
    if unknown > 0 {
        errors.push(format!("{unknown} newMessage frames not from this run's senders"));
    }
    let lag_q = Quantiles::of(&lag);
    let dropped = sh.dropped.load(Ordering::Relaxed);
    let mut reasons = Vec::new();
    if lag_q.max_ms > a.max_lag_ms {
        reasons.push(format!(
            "generator fell {:.1} ms behind its schedule (limit {} ms)",
            lag_q.max_ms, a.max_lag_ms
        ));
    }
    if dropped > 0 {
        reasons.push(format!("{dropped} sends dropped at --max-inflight"));
    }
    let generator_cpu_pct = match (self_before, self_after) {
        (Some(x), Some(y)) if wall > 0.0 => 100.0 * (y.cpu_secs - x.cpu_secs) / wall,
        _ => 0.0,
    };
    let server = series.and_then(|s| s.lock().ok().map(|g| server_cost(&g, acked, delivered)));
    let lat = sh.lat.lock().map(|h| Quantiles::of(&h)).unwrap_or_default();
    let ackq = sh.ack.lock().map(|h| Quantiles::of(&h)).unwrap_or_default();
    Ok(Report {
        url: setup.base.clone(),
        via: format!("{:?}", via).to_lowercase(),
        users,
        sockets_per_user: k,
        sockets: reports.len(),
        rate,
        duration_secs: a.duration,
        size: a.size,
        login_secs: setup.login_secs,
        connect_secs,
        attempted,
        acked,
        send_errors: sh.send_errors.load(Ordering::Relaxed),
        unacked,
        dropped,
        achieved_rate: attempted as f64 / send_secs,
        expected_deliveries: expected,
        delivered,
        delivered_pct: if expected > 0 { 100.0 * delivered as f64 / expected as f64 } else { 0.0 },
        lost,
        duplicated: dups,
        reordered: reorders,
        send_order_inversions: inversions,
        delivered_unacked: delivered_any - delivered,
        echoes_to_sender: echoes,
        echoes_missing,
        disconnected_sockets: dropped_socks,
        latency: lat,
        ack_latency: ackq,
        schedule_lag: lag_q,
        valid: reasons.is_empty(),
        invalid_reason: if reasons.is_empty() { None } else { Some(reasons.join("; ")) },
        generator_cpu_pct,
        server,
        errors,
    })
}

/// `--json` prints one line per point, so a multi-point run is a JSON-lines file.
pub fn emit(r: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
    } else {
        r.print_table();
    }
    Ok(())
}

/// Every `--via` x `--rate` point on one set of logged-in users (logging 10,000 users
/// in takes longer than a point).
pub async fn run_cmd(a: RunArgs) -> Result<()> {
    let setup = setup::prepare(&a.common, a.users, a.users * a.sockets_per_user, true).await?;
    for &via in &a.via {
        for &rate in &a.rate {
            settle(&a).await;
            let r = load(&setup, &a, via, rate).await?;
            emit(&r, a.common.json)?;
        }
    }
    Ok(())
}

/// Before a point: let the server finish the backlog of the one before.
pub async fn settle(a: &RunArgs) {
    if let Some(pid) = a.common.server_pid {
        procstat::wait_idle(&pid.to_string(), SETTLE_MAX).await;
    }
}

/// Users in the smoke run: at 50 msgs/s each sends ~8 a second, far under the server's
/// per-user burst (30/s) even when a slow CI machine stalls a socket and its sends
/// arrive bunched (two users at 25/s each were refused there).
const SMOKE_USERS: usize = 6;

/// For CI: 6 users x 2 sockets at 50 msgs/s, 2 s over sockets then 1 s over REST.
/// Fails (exit 1) on loss, duplication, send errors or dropped sockets; never on timing.
pub async fn smoke_cmd(common: Common) -> Result<bool> {
    let setup = setup::prepare(&common, SMOKE_USERS, SMOKE_USERS * 2, true).await?;
    let (mut passed, mut failed) = (0, 0);
    let mut reports = Vec::new();
    for (via, secs) in [(Via::Socket, 2.0), (Via::Rest, 1.0)] {
        let a = RunArgs {
            common: common.clone(),
            users: SMOKE_USERS,
            sockets_per_user: 2,
            rate: vec![50.0],
            duration: secs,
            via: vec![via],
            size: 150,
            drain: 10.0,
            max_lag_ms: f64::MAX,
            max_inflight: 10_000,
            connect_concurrency: 4,
        };
        let r = load(&setup, &a, via, 50.0).await?;
        if !common.json {
            r.print_table();
        }
        let pass = r.expected_deliveries > 0
            && r.lost == 0
            && r.duplicated == 0
            && r.echoes_missing == 0
            && r.reordered == 0
            && r.send_errors == 0
            && r.unacked == 0
            && r.disconnected_sockets == 0
            && r.acked == r.attempted;
        if pass {
            passed += 1;
        } else {
            failed += 1;
            eprintln!(
                "smoke FAILED via {via:?}: lost {}, duplicated {}, reordered {}, echoes missing {}, errors {:?}",
                r.lost, r.duplicated, r.reordered, r.echoes_missing, r.errors
            );
        }
        reports.push(r);
    }
    if common.json {
        let out = serde_json::json!({ "passed": failed == 0, "reports": reports });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("smoke: {passed} passed, {failed} failed");
    }
    Ok(failed == 0)
}
