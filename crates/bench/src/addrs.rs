//! Source addresses for logins and sockets.
//!
//! All of 127.0.0.0/8 is loopback on Linux, so a loopback server can be reached from
//! thousands of source addresses. Spreading over them keeps natter's per-address login
//! limits (20 logins and 60 verifies per 10 minutes) from biting and gives every
//! address its own ephemeral port range.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::Common;

/// Logins per source address: natter allows 20 per 10 minutes, keep a margin.
const LOGINS_PER_ADDR: usize = 15;
/// Sockets per source address: far below the ~28k ephemeral ports of each.
const SOCKETS_PER_ADDR: usize = 2000;
/// Never fewer than this many addresses (spreads the sockets a little anyway).
const MIN_ADDRS: usize = 8;
/// The pool 127.0.1.1 … 127.0.250.254: third octet 1..=250, last octet 1..=254.
const POOL_THIRD: usize = 250;
const POOL_LAST: usize = 254;

/// Parses `127.0.0.2-127.0.0.9`, `127.0.0.2-9` or `127.0.0.2,127.0.0.3`.
pub fn parse(spec: &str) -> Result<Vec<IpAddr>> {
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

/// How many addresses `logins` logins and `sockets` sockets need.
pub fn needed(logins: usize, sockets: usize) -> usize {
    logins.div_ceil(LOGINS_PER_ADDR).max(sockets.div_ceil(SOCKETS_PER_ADDR)).max(MIN_ADDRS)
}

/// `n` consecutive addresses of the pool starting at pool index `start` (wrapping).
pub fn window(start: usize, n: usize) -> Vec<IpAddr> {
    let pool = POOL_THIRD * POOL_LAST;
    (0..n.min(pool))
        .map(|i| {
            let j = (start + i) % pool;
            let third = u8::try_from(1 + j / POOL_LAST).unwrap_or(u8::MAX);
            let last = u8::try_from(1 + j % POOL_LAST).unwrap_or(u8::MAX);
            IpAddr::V4(Ipv4Addr::new(127, 0, third, last))
        })
        .collect()
}

fn is_loopback(url: &str) -> Result<bool> {
    let url = reqwest::Url::parse(url).context("bad --url")?;
    Ok(match url.host_str() {
        Some("localhost") => true,
        Some(h) => h.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
        None => false,
    })
}

/// The source addresses to use: the flag; else, for a loopback server, enough pool
/// addresses for `logins` and `sockets`, starting at a place that changes from run to
/// run (a second run against the same server meets fresh per-address limits); else the
/// OS's choice (`None`).
pub fn source_ips(common: &Common, logins: usize, sockets: usize) -> Result<Vec<Option<IpAddr>>> {
    if let Some(spec) = &common.source_ips {
        return Ok(parse(spec)?.into_iter().map(Some).collect());
    }
    if !is_loopback(&common.url)? {
        return Ok(vec![None]);
    }
    let seed = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    let start = usize::try_from(seed % (POOL_THIRD * POOL_LAST) as u128).unwrap_or(0);
    Ok(window(start, needed(logins, sockets)).into_iter().map(Some).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges() {
        let ips = parse("127.0.0.2-127.0.0.4").unwrap();
        assert_eq!(ips.len(), 3);
        let ips = parse("127.0.0.2-9,10.0.0.1").unwrap();
        assert_eq!(ips.len(), 9);
        assert!(parse("127.0.0.5-127.0.0.4").is_err());
    }

    #[test]
    fn enough_addresses_for_the_limits() {
        assert_eq!(needed(2, 4), MIN_ADDRS);
        assert_eq!(needed(5000, 10_000), 334);
        assert_eq!(needed(100, 19_000), 10);
    }

    #[test]
    fn the_window_skips_network_and_broadcast_octets() {
        let w = window(POOL_LAST - 1, 3);
        assert_eq!(w[0], IpAddr::V4(Ipv4Addr::new(127, 0, 1, 254)));
        assert_eq!(w[1], IpAddr::V4(Ipv4Addr::new(127, 0, 2, 1)));
        let wrapped = window(POOL_THIRD * POOL_LAST - 1, 2);
        assert_eq!(wrapped[1], IpAddr::V4(Ipv4Addr::new(127, 0, 1, 1)));
    }
}
