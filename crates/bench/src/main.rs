//! `natter-bench`: the load generator of natter.
//!
//! * `run`   — open-loop load at a fixed total rate over Socket.IO or REST, with
//!   latency measured from each message's *intended* send time (no coordinated
//!   omission) to its `newMessage` arrival on every socket of the recipient.
//! * `idle`  — open N idle sockets over many users and report the server's RSS per
//!   connection.
//! * `ramp`  — open N sockets as fast as possible: connections/s and connect times.
//! * `storm` — N clients in 1:1 chats with messages flowing drop all their sockets at
//!   once and reconnect at once: time until all are back, then catch-up and loss.
//! * `knee`  — step search for the highest rate with p99 <= 100 ms and >= 99.99 %
//!   delivered.
//! * `smoke` — a 3-second tiny run for CI (6 users): fails on loss or duplication only.
//! * `corpus`  — write the hostile image corpus (bombs, polyglots, CMYK, 16-bit,
//!   animated, truncated) to a folder.
//! * `uploads` — upload every file of a folder through the real API, N at a time:
//!   each answer and its time, the slowest, the server's peak RSS.
//! * `relay` — a bare WebSocket relay speaking just enough of the same protocol: the
//!   ceiling any chat server on the machine works under.
//!
//! See `sio.rs` for the wire frames, checked against the real `socket.io-client`.

mod addrs;
mod api;
mod bitset;
mod conns;
mod idle;
mod knee;
mod mailbox;
mod msg;
mod procstat;
mod progress;
mod ramp;
mod relay;
mod run;
mod setup;
mod sio;
mod stats;
mod storm;
mod uploads;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "natter-bench", version, about = "Load generator for natter")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// `sendMessage` with ack over the sender's own sockets.
    Socket,
    /// `POST /api/v1/message` with a bearer token.
    Rest,
}

#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    /// Base URL of the server (natter, the Node peer or the relay).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Loopback source addresses for HTTP logins and sockets, as `A-B` (last octet
    /// range) or a comma list. Default for a loopback URL: enough of 127.0.1.1 …
    /// 127.0.250.254 for at most 15 logins and 2,000 sockets per address.
    #[arg(long)]
    pub source_ips: Option<String>,
    /// Logins in flight at once (at most 150: the dev mailbox keeps the newest 200 mails).
    #[arg(long, default_value_t = 96)]
    pub login_concurrency: usize,
    /// PID of the server, to sample its CPU and RSS from /proc every second.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Print machine-readable JSON instead of the human table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,
    /// Users (even: they are paired into 1:1 chats).
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Sockets each user holds open; every one of them must get each message.
    #[arg(long, default_value_t = 1)]
    pub sockets_per_user: usize,
    /// Total send rate, messages per second, over all senders; a comma list runs one
    /// point per rate on the same users.
    #[arg(long, value_delimiter = ',', default_value = "100")]
    pub rate: Vec<f64>,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// `socket`, `rest`, or both as a comma list (one point each).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "socket")]
    pub via: Vec<Via>,
    /// Message text size in bytes (the sequence header is part of it).
    #[arg(long, default_value_t = 150)]
    pub size: usize,
    /// Seconds to wait after the last send for outstanding deliveries.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// The run is INVALID when a send leaves later than this after its intended time.
    #[arg(long, default_value_t = 50.0)]
    pub max_lag_ms: f64,
    /// At most this many REST sends in flight; more are dropped and the run is INVALID.
    /// Each one holds a connection, and the sockets already use most of the 20,000
    /// open files a process may have here.
    #[arg(long, default_value_t = 5_000)]
    pub max_inflight: usize,
    /// Sockets connecting at the same time.
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,
}

#[derive(clap::Args, Clone, Debug)]
pub struct IdleArgs {
    #[command(flatten)]
    pub common: Common,
    /// Idle sockets to open (at most ~19,500: the open-file limit is 20,000).
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Sockets per user: the connections are spread over connections / this users.
    #[arg(long, default_value_t = 10)]
    pub sockets_per_user: usize,
    /// Seconds to let the server settle before reading its RSS.
    #[arg(long, default_value_t = 5.0)]
    pub settle: f64,
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,
}

#[derive(clap::Args, Clone, Debug)]
pub struct RampArgs {
    #[command(flatten)]
    pub common: Common,
    /// Sockets to open.
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Sockets per user (logins are not part of the ramp).
    #[arg(long, default_value_t = 10)]
    pub sockets_per_user: usize,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 512)]
    pub connect_concurrency: usize,
}

#[derive(clap::Args, Clone, Debug)]
pub struct StormArgs {
    #[command(flatten)]
    pub common: Common,
    /// Users (even: paired into 1:1 chats).
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    #[arg(long, default_value_t = 2)]
    pub sockets_per_user: usize,
    /// Messages per second over REST, open loop, through the whole storm.
    #[arg(long, default_value_t = 500.0)]
    pub rate: f64,
    /// Seconds of sending; the storm comes at a third of it.
    #[arg(long, default_value_t = 15.0)]
    pub duration: f64,
    /// Seconds to wait after the last send for deliveries and catch-ups.
    #[arg(long, default_value_t = 10.0)]
    pub drain: f64,
    /// Catch-up requests in flight at once (each holds a connection).
    #[arg(long, default_value_t = 256)]
    pub catchup_concurrency: usize,
    #[arg(long, default_value_t = 150)]
    pub size: usize,
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,
}

#[derive(clap::Args, Clone, Debug)]
pub struct KneeArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// First rate tried; it doubles until a point fails, then the gap is halved.
    #[arg(long, default_value_t = 2000.0)]
    pub start: f64,
    /// Never offer more than this.
    #[arg(long, default_value_t = 128_000.0)]
    pub max_rate: f64,
    /// Halvings of the gap between the last passing and the first failing rate.
    #[arg(long, default_value_t = 2)]
    pub refine: u32,
    /// A point passes with p99 at most this (ms) ...
    #[arg(long, default_value_t = 100.0)]
    pub p99_ms: f64,
    /// ... and at least this share delivered (%).
    #[arg(long, default_value_t = 99.99)]
    pub delivered_pct: f64,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open-loop load at a fixed rate; latency, delivery and server cost.
    Run(RunArgs),
    /// Open N idle sockets and report the server's RSS delta per connection.
    Idle(IdleArgs),
    /// Open N sockets as fast as possible: connections/s and connect-time quantiles.
    Ramp(RampArgs),
    /// Drop every socket at once mid-run, reconnect at once, catch up, count the loss.
    Storm(StormArgs),
    /// The highest rate with p99 <= 100 ms and >= 99.99 % delivered (step search).
    Knee(KneeArgs),
    /// 3-second tiny run for CI: exits non-zero if anything was lost or duplicated.
    Smoke {
        #[command(flatten)]
        common: Common,
    },
    /// Write the hostile image corpus and its MANIFEST.tsv to a folder.
    Corpus(uploads::CorpusArgs),
    /// Upload each file of a folder as an image message; status, time, peak RSS.
    Uploads(uploads::UploadsArgs),
    /// Bare WebSocket relay (no persistence) speaking the same protocol: the ceiling.
    Relay {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("natter-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let res: Result<bool> = rt.block_on(async move {
        match cli.cmd {
            Cmd::Run(a) => run::run_cmd(a).await.map(|_| true),
            Cmd::Idle(a) => idle::idle_cmd(a).await.map(|_| true),
            Cmd::Ramp(a) => ramp::ramp_cmd(a).await.map(|_| true),
            Cmd::Storm(a) => storm::storm_cmd(a).await.map(|_| true),
            Cmd::Knee(a) => knee::knee_cmd(a).await.map(|_| true),
            Cmd::Smoke { common } => run::smoke_cmd(common).await,
            Cmd::Corpus(a) => uploads::corpus_cmd(a).map(|_| true),
            Cmd::Uploads(a) => uploads::uploads_cmd(a).await,
            Cmd::Relay { listen } => relay::serve(&listen).await.map(|_| true),
        }
    });
    match res {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("natter-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}
