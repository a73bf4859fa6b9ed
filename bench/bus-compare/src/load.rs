//! Socket.IO clients (Engine.IO 4 over a websocket, the frames `socket.io-client` 4
//! sends with `transports: ["websocket"]`) spread over the nodes. Client `k` connects
//! to node `k % nodes` and joins room `(k / nodes) % rooms`, so with 200 clients, 50
//! rooms and two nodes every room has two members on each node. Message `id` is sent
//! by client `id % clients` at an aggregate open-loop rate; every member of the room,
//! the sender included, should get it once. A copy is "local" when its receiver is on
//! the sender's node and "remote" when it had to cross Redis.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use hdrhistogram::Histogram;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[derive(clap::Args)]
pub struct Args {
    /// `ws://127.0.0.1:47001,ws://127.0.0.1:47002`
    #[arg(long, value_delimiter = ',')]
    urls: Vec<String>,
    #[arg(long, default_value_t = 200)]
    clients: usize,
    #[arg(long, default_value_t = 50)]
    rooms: usize,
    /// Messages sent per second, all clients together.
    #[arg(long)]
    rate: u64,
    #[arg(long)]
    secs: u64,
    /// How long to wait for the last copies after sending stops.
    #[arg(long, default_value_t = 3)]
    drain: u64,
    /// A CSV of the run second by second (losses by the second a message was sent).
    #[arg(long)]
    series: Option<std::path::PathBuf>,
    /// Processes whose CPU time (utime + stime) to report over the sending window and
    /// drain, as `name=pid,name=pid`.
    #[arg(long, value_delimiter = ',')]
    watch: Vec<String>,
    /// A word to put in the JSON result.
    #[arg(long, default_value = "")]
    label: String,
}

const TEXT: &str = "a chat line of ordinary length, sent across two nodes of natter";

struct Shared {
    clients: usize,
    nodes: usize,
    rooms: usize,
    base: Instant,
    /// Micros after `base` at which message `id` was handed to its client's writer.
    sent_at: Vec<AtomicU64>,
    /// Distinct receivers that got message `id` on the sender's node / another node.
    got_local: Vec<AtomicU8>,
    got_remote: Vec<AtomicU8>,
    /// Copies received in second `s` of the run: local, remote.
    per_sec_local: Vec<AtomicU64>,
    per_sec_remote: Vec<AtomicU64>,
    duplicates: AtomicU64,
    disconnects: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn node_of(&self, client: usize) -> usize {
        client % self.nodes
    }
    fn room_of(&self, client: usize) -> usize {
        (client / self.nodes) % self.rooms
    }
    fn sender_of(&self, id: u64) -> usize {
        (id % self.clients as u64) as usize
    }
}

struct Hists {
    local: Histogram<u64>,
    remote: Histogram<u64>,
}

fn hist() -> Histogram<u64> {
    // Micros, 1 µs .. 120 s, 3 significant digits.
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid bounds")
}

fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().write_buffer_size(0).max_message_size(Some(1 << 20))
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn next_text(ws: &mut Ws) -> anyhow::Result<String> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .context("handshake timed out")?
            .context("closed in the handshake")??;
        match m {
            Message::Text(t) => return Ok(t.as_str().to_owned()),
            Message::Close(c) => bail!("closed in the handshake: {c:?}"),
            _ => {}
        }
    }
}

/// Opens the websocket, CONNECTs to `/` and joins `room`.
async fn connect(url: &str, room: &str) -> anyhow::Result<Ws> {
    let hostport = url.strip_prefix("ws://").context("urls are ws://host:port")?;
    let addr: SocketAddr = tokio::net::lookup_host(hostport).await?.next().context("no address")?;
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let url = format!("{url}/socket.io/?EIO=4&transport=websocket");
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(ws_config())).await?;
    let open = next_text(&mut ws).await?;
    if !open.starts_with('0') {
        bail!("expected an Engine.IO OPEN, got {open:?}");
    }
    ws.send(Message::text("40")).await?;
    loop {
        let f = next_text(&mut ws).await?;
        if f.starts_with("40") {
            break;
        }
        if f.starts_with("44") {
            bail!("CONNECT refused: {f}");
        }
        if f == "2" {
            ws.send(Message::text("3")).await?;
        }
    }
    ws.send(Message::text(format!("42[\"join\",{}]", serde_json::to_string(room)?))).await?;
    Ok(ws)
}

/// The `id` of a `42["message",{"room":…,"text":…,"id":N}]` frame.
fn message_id(frame: &str) -> Option<u64> {
    let rest = frame.strip_prefix("42[\"message\",")?;
    let at = rest.rfind("\"id\":")? + 5;
    let digits = &rest[at..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse().ok()
}

async fn reader(
    me: usize,
    mut stream: futures_util::stream::SplitStream<Ws>,
    pong: mpsc::UnboundedSender<String>,
    sh: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Hists {
    let mut h = Hists { local: hist(), remote: hist() };
    let mut seen = vec![0u64; sh.sent_at.len().div_ceil(64)];
    let my_node = sh.node_of(me);
    loop {
        let m = tokio::select! {
            m = stream.next() => m,
            _ = stop.changed() => return h,
        };
        let text = match m {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                if !sh.stop.load(Ordering::Relaxed) {
                    sh.disconnects.fetch_add(1, Ordering::Relaxed);
                }
                return h;
            }
            Some(Ok(_)) => continue,
        };
        let now = sh.base.elapsed().as_micros() as u64;
        if text.as_str() == "2" {
            let _ = pong.send("3".to_owned());
            continue;
        }
        let Some(id) = message_id(text.as_str()) else { continue };
        let Some(sent) = sh.sent_at.get(id as usize).map(|a| a.load(Ordering::Relaxed)) else { continue };
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        if seen[word] & bit != 0 {
            sh.duplicates.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        seen[word] |= bit;
        let latency = now.saturating_sub(sent).max(1);
        let sec = (now / 1_000_000) as usize;
        let local = sh.node_of(sh.sender_of(id)) == my_node;
        if local {
            sh.got_local[id as usize].fetch_add(1, Ordering::Relaxed);
            let _ = h.local.record(latency);
            if let Some(c) = sh.per_sec_local.get(sec) {
                c.fetch_add(1, Ordering::Relaxed);
            }
        } else {
            sh.got_remote[id as usize].fetch_add(1, Ordering::Relaxed);
            let _ = h.remote.record(latency);
            if let Some(c) = sh.per_sec_remote.get(sec) {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// CPU seconds (utime + stime) of `pid`, "self" for this process.
fn cpu_of(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return f64::NAN };
    let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return 0.0 };
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let nodes = a.urls.len();
    if nodes == 0 || a.clients == 0 || a.rooms == 0 {
        bail!("need urls, clients and rooms");
    }
    let capacity = (a.rate * a.secs + a.rate + 16) as usize;
    let run_secs = (a.secs + a.drain + 30) as usize;
    let sh = Arc::new(Shared {
        clients: a.clients,
        nodes,
        rooms: a.rooms,
        base: Instant::now(),
        sent_at: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
        got_local: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
        got_remote: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
        per_sec_local: (0..run_secs).map(|_| AtomicU64::new(0)).collect(),
        per_sec_remote: (0..run_secs).map(|_| AtomicU64::new(0)).collect(),
        duplicates: AtomicU64::new(0),
        disconnects: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Connect, 20 at a time.
    let mut writers = Vec::with_capacity(a.clients);
    let mut readers = Vec::with_capacity(a.clients);
    let mut members = vec![vec![0u64; nodes]; a.rooms];
    for chunk in (0..a.clients).collect::<Vec<_>>().chunks(20) {
        let mut handshakes = Vec::new();
        for &k in chunk {
            let url = a.urls[sh.node_of(k)].clone();
            let room = format!("r{}", sh.room_of(k));
            handshakes.push(tokio::spawn(async move { connect(&url, &room).await }));
        }
        for (h, &k) in handshakes.into_iter().zip(chunk) {
            let ws = h.await?.with_context(|| format!("client {k}"))?;
            members[sh.room_of(k)][sh.node_of(k)] += 1;
            let (mut sink, stream) = ws.split();
            let (tx, mut rx) = mpsc::unbounded_channel::<String>();
            tokio::spawn(async move {
                while let Some(f) = rx.recv().await {
                    if sink.send(Message::text(f)).await.is_err() {
                        break;
                    }
                }
                let _ = sink.close().await;
            });
            readers.push(tokio::spawn(reader(k, stream, tx.clone(), sh.clone(), stop_rx.clone())));
            writers.push(tx);
        }
    }
    // Let the joins land.
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let watched: Vec<(String, String)> =
        a.watch.iter().filter_map(|w| w.split_once('=').map(|(n, p)| (n.to_owned(), p.to_owned()))).collect();
    let cpu0 = cpu_of("self");
    let watched0: Vec<f64> = watched.iter().map(|(_, p)| cpu_of(p)).collect();
    eprintln!("sending started");
    let start = sh.base.elapsed();
    let start_sec = start.as_secs_f64();
    let total = a.rate * a.secs;
    let mut sent = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while sent < total {
        tick.tick().await;
        let elapsed = sh.base.elapsed().saturating_sub(start).as_secs_f64();
        let due = ((elapsed * a.rate as f64) as u64).min(total);
        while sent < due {
            let id = sent;
            let k = sh.sender_of(id);
            let frame =
                format!("42[\"send\",{{\"room\":\"r{}\",\"text\":\"{TEXT}\",\"id\":{id}}}]", sh.room_of(k));
            sh.sent_at[id as usize].store(sh.base.elapsed().as_micros() as u64, Ordering::Relaxed);
            let _ = writers[k].send(frame);
            sent += 1;
        }
    }
    let send_secs = sh.base.elapsed().saturating_sub(start).as_secs_f64();
    tokio::time::sleep(Duration::from_secs(a.drain)).await;
    sh.stop.store(true, Ordering::Relaxed);
    let _ = stop_tx.send(true);
    let cpu1 = cpu_of("self");
    let cpu_watched: serde_json::Map<String, serde_json::Value> = watched
        .iter()
        .zip(&watched0)
        .map(|((n, p), c0)| (n.clone(), serde_json::json!(((cpu_of(p) - c0) * 100.0).round() / 100.0)))
        .collect();
    drop(writers);

    let mut local = hist();
    let mut remote = hist();
    for r in readers {
        let h = r.await?;
        local.add(&h.local).ok();
        remote.add(&h.remote).ok();
    }
    let mut all = local.clone();
    all.add(&remote).ok();

    // Expected and lost copies, and a series by the second a message was sent.
    let (mut exp_local, mut exp_remote, mut lost_local, mut lost_remote) = (0u64, 0u64, 0u64, 0u64);
    let secs_n = run_secs;
    let mut s_sent = vec![0u64; secs_n];
    let mut s_lost_local = vec![0u64; secs_n];
    let mut s_lost_remote = vec![0u64; secs_n];
    for id in 0..sent {
        let k = sh.sender_of(id);
        let (room, node) = (sh.room_of(k), sh.node_of(k));
        let el = members[room][node];
        let er: u64 = members[room].iter().sum::<u64>() - el;
        let gl = u64::from(sh.got_local[id as usize].load(Ordering::Relaxed));
        let gr = u64::from(sh.got_remote[id as usize].load(Ordering::Relaxed));
        exp_local += el;
        exp_remote += er;
        let (ll, lr) = (el.saturating_sub(gl), er.saturating_sub(gr));
        lost_local += ll;
        lost_remote += lr;
        let sec = (sh.sent_at[id as usize].load(Ordering::Relaxed) / 1_000_000) as usize;
        if sec < secs_n {
            s_sent[sec] += 1;
            s_lost_local[sec] += ll;
            s_lost_remote[sec] += lr;
        }
    }
    let delivered = local.len() + remote.len();
    let q = |h: &Histogram<u64>, p: f64| h.value_at_quantile(p) as f64 / 1000.0;
    let result = serde_json::json!({
        "label": a.label,
        "clients": a.clients,
        "rooms": a.rooms,
        "rate": a.rate,
        "secs": a.secs,
        "sent": sent,
        "send_secs": (send_secs * 1000.0).round() / 1000.0,
        "expected_copies": exp_local + exp_remote,
        "delivered_copies": delivered,
        "delivered_per_s": (delivered as f64 / send_secs).round(),
        "lost_local": lost_local,
        "lost_remote": lost_remote,
        "duplicates": sh.duplicates.load(Ordering::Relaxed),
        "disconnects": sh.disconnects.load(Ordering::Relaxed),
        "p50_ms": q(&all, 0.5),
        "p99_ms": q(&all, 0.99),
        "p999_ms": q(&all, 0.999),
        "max_ms": all.max() as f64 / 1000.0,
        "local_p50_ms": q(&local, 0.5),
        "local_p99_ms": q(&local, 0.99),
        "remote_p50_ms": q(&remote, 0.5),
        "remote_p99_ms": q(&remote, 0.99),
        "load_cpu_s": ((cpu1 - cpu0) * 100.0).round() / 100.0,
        "cpu_s": cpu_watched,
    });
    println!("{result}");
    if let Some(path) = a.series {
        let mut csv = String::from("sec,sent,recv_local,recv_remote,lost_local,lost_remote\n");
        let first = start_sec as usize;
        let last = ((start_sec + send_secs) as usize + a.drain as usize).min(secs_n - 1);
        for s in first..=last {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                s - first,
                s_sent[s],
                sh.per_sec_local[s].load(Ordering::Relaxed),
                sh.per_sec_remote[s].load(Ordering::Relaxed),
                s_lost_local[s],
                s_lost_remote[s]
            ));
        }
        std::fs::write(path, csv)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::message_id;

    #[test]
    fn reads_the_id_of_a_message_frame() {
        assert_eq!(message_id(r#"42["message",{"room":"r1","text":"x","id":42}]"#), Some(42));
        assert_eq!(message_id(r#"42["other",{"id":42}]"#), None);
    }
}
