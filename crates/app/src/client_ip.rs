//! Who is on the other end of a request, and under which key its requests are counted.
//!
//! The client is the TCP peer, unless the peer is a reverse proxy the operator told us
//! to trust (`NATTER_TRUSTED_PROXIES`): then it is the address that proxy saw, read from
//! `X-Forwarded-For`. Anyone can send that header, so it is read only from a trusted
//! peer, and from the right: each trusted proxy appends the address it saw, so the
//! right-most entry that is not one of our proxies is the first address we did not
//! write ourselves. Everything left of it is whatever the client claimed.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// The client's address, resolved once at the edge and handed to whoever needs it
/// (login limits, the socket cap per address) as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` we believe. Empty by default: without
/// a proxy in front, a forwarded-for header is just something a client typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// Entries of `X-Forwarded-For` looked at, at most: a proxy chain is a few hops, and
/// a client must not make us parse a header full of them.
const MAX_HOPS: usize = 16;

impl TrustedProxies {
    /// A comma list of addresses and CIDR ranges (`10.0.0.1, 10.1.0.0/16, fd00::/8`).
    /// The error names the entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(|ip| IpNet::from(ip.to_canonical())))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("{entry:?} is neither an IP address nor a CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { nets })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// The list as configured, for `natter config check`.
    pub fn describe(&self) -> String {
        self.nets.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the
    /// right-most `X-Forwarded-For` entry (over all such headers, in order) that is not
    /// a trusted proxy. An entry that is not an address ends the walk at the last
    /// address we could trust, so a broken proxy cannot make a client anyone it likes.
    pub fn client_ip<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev().take(MAX_HOPS) {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// `203.0.113.7`, `2001:db8::7`, and the forms with a port some proxies write
/// (`203.0.113.7:4711`, `[2001:db8::7]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

/// The key under which one client's requests are counted by a limit: an IPv4 address
/// alone, an IPv6 address by its /64. One subscriber, one office or one cloud host
/// is handed at least a /64 and may use any of its 2^64 addresses, so counting single
/// IPv6 addresses would give each of them as many tries as it likes.
pub fn rate_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap_or_default()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("198.51.100.9"), ["203.0.113.1"]), ip("198.51.100.9"));
        let other = proxies("10.0.0.1");
        assert_eq!(other.client_ip(ip("198.51.100.9"), ["203.0.113.1"]), ip("198.51.100.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() {
        let p = proxies("10.0.0.0/8, 127.0.0.1");
        // The client forged the left entry; our two proxies appended the rest.
        let xff = ["6.6.6.6, 203.0.113.5", "10.1.2.3"];
        assert_eq!(p.client_ip(ip("127.0.0.1"), xff), ip("203.0.113.5"));
        assert_eq!(p.client_ip(ip("127.0.0.1"), ["[2001:db8::5]:443"]), ip("2001:db8::5"));
        assert_eq!(p.client_ip(ip("127.0.0.1"), ["203.0.113.5:4711"]), ip("203.0.113.5"));
        // No header: the proxy is all we know.
        assert_eq!(p.client_ip(ip("127.0.0.1"), []), ip("127.0.0.1"));
        // Garbage stops the walk at the last address we trust.
        assert_eq!(p.client_ip(ip("127.0.0.1"), ["203.0.113.5, unknown"]), ip("127.0.0.1"));
        // An IPv4 peer seen on an IPv6 socket is the same peer.
        assert_eq!(p.client_ip(ip("::ffff:127.0.0.1"), ["203.0.113.5"]), ip("203.0.113.5"));
    }

    #[test]
    fn a_proxy_list_names_its_bad_entry() {
        assert_eq!(proxies("10.0.0.1, 192.168.0.0/16, fd00::/8").nets.len(), 3);
        let err = TrustedProxies::parse("10.0.0.1, proxy.local").err().unwrap_or_default();
        assert!(err.contains("proxy.local"), "{err}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("").is_ok_and(|p| p.is_empty()));
    }

    #[test]
    fn ipv6_addresses_share_a_key_by_their_64_and_ipv4_by_address() {
        assert_eq!(rate_key(ip("2001:db8:1:2::1")), rate_key(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(rate_key(ip("2001:db8:1:2::1")), rate_key(ip("2001:db8:1:3::1")));
        assert_eq!(rate_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_eq!(rate_key(ip("203.0.113.5")), "203.0.113.5");
        assert_eq!(rate_key(ip("::ffff:203.0.113.5")), "203.0.113.5");
    }
}
