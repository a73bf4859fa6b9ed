//! `ramp`: open N sockets as fast as the server takes them.

use anyhow::Result;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::stats::{Quantiles, histogram};
use crate::{RampArgs, conns, procstat, setup};

#[derive(Serialize)]
struct RampReport {
    url: String,
    connections: usize,
    users: usize,
    concurrency: usize,
    connected: usize,
    failed: usize,
    first_error: Option<String>,
    secs: f64,
    connections_per_sec: f64,
    /// TCP connect start → Socket.IO CONNECT answered, per socket.
    connect_time: Quantiles,
    server_cpu_secs: Option<f64>,
    server_rss_before_mb: Option<f64>,
    server_rss_after_mb: Option<f64>,
    generator_cpu_pct: f64,
}

pub async fn ramp_cmd(a: RampArgs) -> Result<()> {
    let per_user = a.sockets_per_user.max(1);
    let users = a.connections.div_ceil(per_user).max(1);
    let setup = setup::prepare(&a.common, users, a.connections, false).await?;
    let pid = a.common.server_pid.map(|p| p.to_string());
    let before = pid.as_deref().and_then(procstat::sample);
    let self_before = procstat::sample("self");
    let batch = conns::open(&setup, a.connections, per_user, a.connect_concurrency).await;
    let after = pid.as_deref().and_then(procstat::sample);
    let self_after = procstat::sample("self");
    let mut h = histogram()?;
    for o in &batch.opened {
        h.saturating_record((o.secs * 1e6) as u64);
    }
    let generator_cpu_pct = match (self_before, self_after) {
        (Some(x), Some(y)) if batch.secs > 0.0 => 100.0 * (y.cpu_secs - x.cpu_secs) / batch.secs,
        _ => 0.0,
    };
    let r = RampReport {
        url: setup.base.clone(),
        connections: a.connections,
        users,
        concurrency: a.connect_concurrency,
        connected: batch.opened.len(),
        failed: batch.failed,
        first_error: batch.first_error.clone(),
        secs: batch.secs,
        connections_per_sec: batch.opened.len() as f64 / batch.secs.max(1e-9),
        connect_time: Quantiles::of(&h),
        server_cpu_secs: before.zip(after).map(|(b, x)| x.cpu_secs - b.cpu_secs),
        server_rss_before_mb: before.map(|s| s.rss_kb as f64 / 1024.0),
        server_rss_after_mb: after.map(|s| s.rss_kb as f64 / 1024.0),
        generator_cpu_pct,
    };
    let stop = CancellationToken::new();
    let holders = conns::hold_all(batch, &stop);
    stop.cancel();
    for h in holders {
        let _ = h.await;
    }
    if a.common.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    let q = &r.connect_time;
    println!("natter-bench ramp  {}", r.url);
    println!(
        "  {}/{} sockets ({} users, {} at once) in {:.2} s: {:.0} connections/s, {} failed",
        r.connected, r.connections, r.users, r.concurrency, r.secs, r.connections_per_sec, r.failed
    );
    println!("  connect time p50 {:.2}  p99 {:.2}  max {:.2} ms", q.p50_ms, q.p99_ms, q.max_ms);
    if let (Some(c), Some(b), Some(x)) = (r.server_cpu_secs, r.server_rss_before_mb, r.server_rss_after_mb) {
        println!("  server CPU {c:.2} s, RSS {b:.1} → {x:.1} MB");
    }
    println!("  generator CPU {:.0} % of one core", r.generator_cpu_pct);
    if let Some(e) = &r.first_error {
        println!("  first error: {e}");
    }
    Ok(())
}
