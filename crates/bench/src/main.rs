//! `natter-bench`: the load generator of natter.
//!
//! * `run`   — open-loop load at a fixed total rate over Socket.IO or REST, with
//!   latency measured from each message's *intended* send time (no coordinated
//!   omission) to its `newMessage` arrival on every socket of the recipient.
//! * `idle`  — open N idle sockets and report the server's RSS per connection.
//! * `smoke` — a 3-second tiny run for CI: fails on loss or duplication only.
//! * `relay` — a bare WebSocket relay speaking just enough of the same protocol: the
//!   ceiling any chat server on the machine works under.
//!
//! See `sio.rs` for the wire frames, checked against the real `socket.io-client`.

mod api;
mod bitset;
mod procstat;
mod relay;
mod run;
mod sio;

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
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
    /// range) or a comma list. Default: 127.0.0.2-127.0.0.9 for a loopback URL.
    #[arg(long)]
    pub source_ips: Option<String>,
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
    /// Total send rate, messages per second, over all senders.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(long, value_enum, default_value_t = Via::Socket)]
    pub via: Via,
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
    #[arg(long, default_value_t = 20_000)]
    pub max_inflight: usize,
    /// Sockets connecting at the same time.
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
}

#[derive(clap::Args, Clone, Debug)]
pub struct IdleArgs {
    #[command(flatten)]
    pub common: Common,
    /// Idle sockets to open (all of one user).
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Seconds to let the server settle before reading its RSS.
    #[arg(long, default_value_t = 5.0)]
    pub settle: f64,
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open-loop load at a fixed rate; latency, delivery and server cost.
    Run(RunArgs),
    /// Open N idle sockets and report the server's RSS delta per connection.
    Idle(IdleArgs),
    /// 3-second tiny run for CI: exits non-zero if anything was lost or duplicated.
    Smoke {
        #[command(flatten)]
        common: Common,
    },
    /// Bare WebSocket relay (no persistence) speaking the same protocol: the ceiling.
    Relay {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
    },
}

/// Parses `127.0.0.2-127.0.0.9`, `127.0.0.2-9` or `127.0.0.2,127.0.0.3`.
pub fn parse_source_ips(spec: &str) -> Result<Vec<IpAddr>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((a, b)) = part.split_once('-') {
            let a: Ipv4Addr = a.parse().with_context(|| format!("bad address {a}"))?;
            let last = match b.parse::<Ipv4Addr>() {
                Ok(ip) => ip.octets()[3],
                Err(_) => b.parse::<u8>().with_context(|| format!("bad range end {b}"))?,
            };
            let o = a.octets();
            if last < o[3] {
                bail!("empty range {part}");
            }
            for x in o[3]..=last {
                out.push(IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], x)));
            }
        } else {
            out.push(part.parse().with_context(|| format!("bad address {part}"))?);
        }
    }
    if out.is_empty() {
        bail!("no source address in {spec:?}");
    }
    Ok(out)
}

/// The source addresses to use: the flag, else 127.0.0.2-9 for a loopback server,
/// else the OS's choice (`None`).
pub fn source_ips(common: &Common) -> Result<Vec<Option<IpAddr>>> {
    if let Some(spec) = &common.source_ips {
        return Ok(parse_source_ips(spec)?.into_iter().map(Some).collect());
    }
    let url = reqwest::Url::parse(&common.url).context("bad --url")?;
    let loopback = match url.host_str() {
        Some("localhost") => true,
        Some(h) => h.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
        None => false,
    };
    if loopback {
        Ok(parse_source_ips("127.0.0.2-127.0.0.9")?.into_iter().map(Some).collect())
    } else {
        Ok(vec![None])
    }
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
            Cmd::Idle(a) => run::idle_cmd(a).await.map(|_| true),
            Cmd::Smoke { common } => run::smoke_cmd(common).await,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges() {
        let ips = parse_source_ips("127.0.0.2-127.0.0.4").unwrap();
        assert_eq!(ips.len(), 3);
        let ips = parse_source_ips("127.0.0.2-9,10.0.0.1").unwrap();
        assert_eq!(ips.len(), 9);
        assert!(parse_source_ips("127.0.0.5-127.0.0.4").is_err());
    }
}
