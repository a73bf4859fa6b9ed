//! CPU and RSS of a process from /proc, sampled every second.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Linux's USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every
/// mainstream architecture).
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub cpu_secs: f64,
    pub rss_kb: u64,
}

/// user + system CPU seconds and VmRSS (kB) of `pid` ("self" for this process).
pub fn sample(pid: &str) -> Option<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may itself hold spaces and parentheses.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    let f: Vec<&str> = after.split_whitespace().collect();
    // f[0] is field 3 (state): utime is field 14, stime field 15.
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())?;
    Some(Sample { cpu_secs: (utime + stime) / TICKS_PER_SEC, rss_kb })
}

/// The highest RSS (kB) of `pid` since it started or since `reset_peak`: VmHWM.
pub fn peak_rss_kb(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.split_whitespace().next()?.parse().ok()
}

/// Resets `pid`'s VmHWM to its current RSS (writing 5 to clear_refs, Linux 4.0+);
/// false when not allowed.
pub fn reset_peak(pid: &str) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

#[derive(Default, Debug, Clone)]
pub struct Series {
    /// (seconds since start, sample)
    pub points: Vec<(f64, Sample)>,
}

impl Series {
    pub fn cpu_between(&self) -> f64 {
        match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => b.1.cpu_secs - a.1.cpu_secs,
            _ => 0.0,
        }
    }
    pub fn wall(&self) -> f64 {
        match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => b.0 - a.0,
            _ => 0.0,
        }
    }
    /// The highest one-second CPU use, in percent of one core.
    pub fn peak_cpu_pct(&self) -> f64 {
        self.points
            .windows(2)
            .map(|w| {
                let dt = w[1].0 - w[0].0;
                if dt > 0.0 { 100.0 * (w[1].1.cpu_secs - w[0].1.cpu_secs) / dt } else { 0.0 }
            })
            .fold(0.0, f64::max)
    }
    pub fn rss_first_last_max(&self) -> (u64, u64, u64) {
        let first = self.points.first().map_or(0, |p| p.1.rss_kb);
        let last = self.points.last().map_or(0, |p| p.1.rss_kb);
        let max = self.points.iter().map(|p| p.1.rss_kb).max().unwrap_or(0);
        (first, last, max)
    }
}

/// Samples `pid` every second until `stop`, then once more.
pub fn spawn_sampler(pid: String, stop: CancellationToken) -> Arc<Mutex<Series>> {
    let series = Arc::new(Mutex::new(Series::default()));
    let out = series.clone();
    tokio::spawn(async move {
        let t0 = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => {
                    push(&out, t0, &pid);
                    break;
                }
            }
            push(&out, t0, &pid);
        }
    });
    series
}

fn push(out: &Arc<Mutex<Series>>, t0: Instant, pid: &str) {
    if let Some(s) = sample(pid)
        && let Ok(mut g) = out.lock()
    {
        g.points.push((t0.elapsed().as_secs_f64(), s));
    }
}

/// Waits (at most `max`) until `pid` uses less than a fifth of a core over half a
/// second: a point after an overloaded one must not pay for its backlog.
pub async fn wait_idle(pid: &str, max: Duration) {
    const WINDOW: Duration = Duration::from_millis(500);
    let deadline = Instant::now() + max;
    let Some(mut last) = sample(pid) else { return };
    while Instant::now() < deadline {
        tokio::time::sleep(WINDOW).await;
        let Some(now) = sample(pid) else { return };
        if now.cpu_secs - last.cpu_secs < 0.2 * WINDOW.as_secs_f64() {
            return;
        }
        last = now;
    }
    eprintln!("natter-bench: the server was still busy after {} s; going on", max.as_secs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_self() {
        let s = sample("self").unwrap();
        assert!(s.rss_kb > 0);
        assert!(s.cpu_secs >= 0.0);
    }
}
