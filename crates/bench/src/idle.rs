//! `idle`: the server's memory per idle connection.

use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::{IdleArgs, conns, procstat, setup};

#[derive(Serialize)]
struct IdleReport {
    url: String,
    connections: usize,
    users: usize,
    connected: usize,
    failed: usize,
    connect_secs: f64,
    connects_per_sec: f64,
    settle_secs: f64,
    rss_before_mb: Option<f64>,
    rss_after_mb: Option<f64>,
    rss_per_connection_kb: Option<f64>,
    first_error: Option<String>,
}

pub async fn idle_cmd(a: IdleArgs) -> Result<()> {
    let per_user = a.sockets_per_user.max(1);
    let users = a.connections.div_ceil(per_user).max(1);
    let setup = setup::prepare(&a.common, users, a.connections, false).await?;
    let pid = a.common.server_pid.map(|p| p.to_string());
    // Logins leave garbage behind (Node's heap, SQLite's page cache): settle before the
    // baseline too, so the delta is the sockets'.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = pid.as_deref().and_then(procstat::sample);
    let batch = conns::open(&setup, a.connections, per_user, a.connect_concurrency).await;
    let connect_secs = batch.secs;
    let (failed, first_error) = (batch.failed, batch.first_error.clone());
    let stop = CancellationToken::new();
    let holders = conns::hold_all(batch, &stop);
    let connected = holders.len();
    tokio::time::sleep(Duration::from_secs_f64(a.settle.max(0.0))).await;
    let after = pid.as_deref().and_then(procstat::sample);
    stop.cancel();
    for h in holders {
        let _ = h.await;
    }
    let per_conn = match (before, after) {
        (Some(b), Some(x)) if connected > 0 => Some((x.rss_kb as f64 - b.rss_kb as f64) / connected as f64),
        _ => None,
    };
    let r = IdleReport {
        url: setup.base.clone(),
        connections: a.connections,
        users,
        connected,
        failed,
        connect_secs,
        connects_per_sec: connected as f64 / connect_secs.max(1e-9),
        settle_secs: a.settle,
        rss_before_mb: before.map(|s| s.rss_kb as f64 / 1024.0),
        rss_after_mb: after.map(|s| s.rss_kb as f64 / 1024.0),
        rss_per_connection_kb: per_conn,
        first_error,
    };
    if a.common.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    println!("natter-bench idle  {}", r.url);
    println!(
        "  connected {}/{} ({} users) in {:.2} s ({:.0}/s), {} failed",
        r.connected, r.connections, r.users, r.connect_secs, r.connects_per_sec, r.failed
    );
    match (r.rss_before_mb, r.rss_after_mb, r.rss_per_connection_kb) {
        (Some(b), Some(x), Some(p)) => {
            println!("  server RSS {b:.1} → {x:.1} MB after {} s: {p:.1} KB per connection", r.settle_secs)
        }
        _ => println!("  (give --server-pid for the server's RSS per connection)"),
    }
    if let Some(e) = &r.first_error {
        println!("  first error: {e}");
    }
    Ok(())
}
