//! `knee`: the highest offered rate at which the server still keeps p99 <= 100 ms and
//! delivers >= 99.99 % of what was offered. A step search on one set of users: the rate
//! doubles until a point fails, then the gap to the last passing rate is halved a few
//! times. A point where the generator itself fell behind (twice in a row) ends the
//! search: the knee is then only known to be above the last passing rate.

use anyhow::Result;
use serde::Serialize;

use crate::run::{self, Report};
use crate::{KneeArgs, setup};

#[derive(Serialize)]
struct Point {
    rate: f64,
    passed: bool,
    valid: bool,
    p99_ms: f64,
    /// Deliveries over what was offered (every recipient socket of every attempt).
    delivered_of_offered_pct: f64,
    server_cpu_pct: Option<f64>,
}

#[derive(Serialize)]
struct KneeReport {
    url: String,
    via: String,
    users: usize,
    sockets: usize,
    duration_secs: f64,
    /// The highest passing rate (0 when none passed).
    knee: f64,
    /// True when the search stopped at a point the generator could not drive.
    generator_bound: bool,
    points: Vec<Point>,
}

fn judge(r: &Report, a: &KneeArgs) -> Point {
    let offered = r.attempted.max(1) * r.sockets_per_user as u64;
    let pct = 100.0 * r.delivered as f64 / offered as f64;
    let passed = r.valid && r.latency.p99_ms <= a.p99_ms && pct >= a.delivered_pct && r.attempted > 0;
    Point {
        rate: r.rate,
        passed,
        valid: r.valid,
        p99_ms: r.latency.p99_ms,
        delivered_of_offered_pct: pct,
        server_cpu_pct: r.server.as_ref().map(|s| s.avg_cpu_pct),
    }
}

pub async fn knee_cmd(a: KneeArgs) -> Result<()> {
    let ra = &a.run;
    let via = ra.via.first().copied().unwrap_or(crate::Via::Socket);
    let setup = setup::prepare(&ra.common, ra.users, ra.users * ra.sockets_per_user, true).await?;
    let mut points = Vec::new();
    let (mut pass, mut fail): (Option<f64>, Option<f64>) = (None, None);
    let mut generator_bound = false;
    let mut rate = a.start.max(1.0);
    let mut halvings = 0;
    let mut retried = false;
    loop {
        run::settle(ra).await;
        let r = run::load(&setup, ra, via, rate).await?;
        run::emit(&r, ra.common.json)?;
        let p = judge(&r, &a);
        // One late wake-up of a shared machine can make a point INVALID: try it again
        // once before calling the generator the bottleneck.
        if !p.valid && !retried {
            retried = true;
            eprintln!("natter-bench: knee point {rate:.0} msgs/s INVALID (generator late); trying it again");
            continue;
        }
        retried = false;
        eprintln!(
            "natter-bench: knee point {rate:.0} msgs/s: {} (p99 {:.1} ms, {:.3} % delivered)",
            if p.passed { "pass" } else { "fail" },
            p.p99_ms,
            p.delivered_of_offered_pct
        );
        let (passed, valid) = (p.passed, p.valid);
        points.push(p);
        if !valid {
            generator_bound = true;
            break;
        }
        if passed {
            pass = Some(rate);
        } else {
            fail = Some(rate);
        }
        rate = match (pass, fail) {
            (Some(p), None) if p * 2.0 <= a.max_rate => p * 2.0,
            (Some(_), None) => break,
            (None, Some(f)) if f / 2.0 >= 1.0 => f / 2.0,
            (None, _) => break,
            (Some(p), Some(f)) => {
                if halvings >= a.refine {
                    break;
                }
                halvings += 1;
                (p + f) / 2.0
            }
        };
    }
    let out = KneeReport {
        url: setup.base.clone(),
        via: format!("{via:?}").to_lowercase(),
        users: ra.users,
        sockets: ra.users * ra.sockets_per_user,
        duration_secs: ra.duration,
        knee: pass.unwrap_or(0.0),
        generator_bound,
        points,
    };
    if ra.common.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!(
            "knee: {:.0} msgs/s{} (p99 <= {} ms, >= {} % delivered)",
            out.knee,
            if generator_bound { " or more (the generator could not offer more)" } else { "" },
            a.p99_ms,
            a.delivered_pct
        );
    }
    Ok(())
}
