//! Socket.IO v5 over Engine.IO 4, websocket transport only: just the frames a chat
//! client needs.
//!
//! What the real `socket.io-client` 4.8 sends with `io(url, { auth: { token },
//! transports: ["websocket"] })` (captured against natter and the Node peer, see
//! `bench/peers/check-client/`), and what this module sends, frame for frame:
//!
//! ```text
//! GET /socket.io/?EIO=4&transport=websocket          (upgrade; natter-bench sends the same query)
//! S→C  0{"sid":"…","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":…}
//! C→S  40{"token":"…"}                                 CONNECT to "/" with the auth payload
//! S→C  40{"sid":"…"}                                   or 44{"message":"unauthorized"}
//! S→C  42["getOnlineUser",[…]]                         (natter; ignored)
//! C→S  420["sendMessage",{"chatId":…,"text":…,"clientId":…}]   EVENT with ack id 0, 1, 2, …
//! S→C  430[{"message":{…}}]                            ACK (or [{"error":{…}}])
//! S→C  42["newMessage",{…Message…}]                    EVENT, once per socket
//! S→C  2   C→S  3                                      Engine.IO ping / pong
//! ```
//!
//! The browser client uses the polling transport first and upgrades (`2probe`/`3probe`/`5`);
//! a websocket-only client (as here) starts directly with the upgrade above.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

/// Small buffers: tungstenite's defaults cost ~133 KB per idle connection; a 4 KiB read
/// buffer brings that to a few KB. A zero write buffer flushes every frame at once.
pub fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0).max_message_size(Some(1 << 20))
}

/// Where to connect: the server's socket address and its `host:port` for the URL.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    pub host: String,
}

impl Target {
    pub async fn from_url(url: &str) -> Result<Target> {
        let u = reqwest::Url::parse(url).with_context(|| format!("bad url {url}"))?;
        if u.scheme() != "http" {
            bail!("only http:// servers are supported (no TLS in the generator)");
        }
        let host = u.host_str().context("url without host")?.to_owned();
        let port = u.port_or_known_default().unwrap_or(80);
        let addr = tokio::net::lookup_host((host.as_str(), port))
            .await?
            .find(SocketAddr::is_ipv4)
            .with_context(|| format!("cannot resolve {host}"))?;
        Ok(Target { addr, host: format!("{host}:{port}") })
    }
}

/// Opens the websocket from `local` (a loopback alias gives more ephemeral ports) and
/// performs the Socket.IO CONNECT with `{"token": …}`.
pub async fn connect(t: &Target, local: Option<IpAddr>, token: &str) -> Result<Ws> {
    let sock = TcpSocket::new_v4()?;
    if let Some(ip) = local {
        sock.bind(SocketAddr::new(ip, 0)).with_context(|| format!("binding {ip}"))?;
    }
    let tcp = sock.connect(t.addr).await.with_context(|| format!("connecting to {}", t.addr))?;
    tcp.set_nodelay(true)?;
    let url = format!("ws://{}/socket.io/?EIO=4&transport=websocket", t.host);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(ws_config()))
        .await
        .context("websocket handshake")?;
    let open = next_text(&mut ws).await?;
    if !open.starts_with('0') {
        bail!("expected an Engine.IO OPEN packet, got {open:?}");
    }
    let connect = format!("40{}", serde_json::json!({ "token": token }));
    ws.send(Message::text(connect)).await?;
    loop {
        let f = next_text(&mut ws).await?;
        if f.starts_with("40") {
            return Ok(ws);
        }
        if f.starts_with("44") {
            bail!("CONNECT refused: {f}");
        }
        if f == "2" {
            ws.send(Message::text("3")).await?;
        }
    }
}

async fn next_text(ws: &mut Ws) -> Result<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let m = tokio::time::timeout_at(deadline, ws.next())
            .await
            .context("timed out in the Socket.IO handshake")?
            .context("socket closed in the handshake")??;
        match m {
            Message::Text(t) => return Ok(t.as_str().to_owned()),
            Message::Close(c) => bail!("socket closed in the handshake: {c:?}"),
            _ => {}
        }
    }
}

/// An incoming frame, classified without a full parse.
pub enum Frame<'a> {
    Ping,
    /// `42["newMessage",…]`: the JSON array after `42`.
    NewMessage(&'a str),
    /// `43<id>[…]`
    Ack(u64, &'a str),
    Disconnect,
    Other,
}

pub fn classify(f: &str) -> Frame<'_> {
    if f == "2" {
        return Frame::Ping;
    }
    if let Some(rest) = f.strip_prefix("42") {
        if rest.starts_with("[\"newMessage\"") {
            return Frame::NewMessage(rest);
        }
        return Frame::Other;
    }
    if let Some(rest) = f.strip_prefix("43") {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if let (Ok(id), Some(body)) = (rest[..end].parse::<u64>(), rest.get(end..)) {
            return Frame::Ack(id, body);
        }
        return Frame::Other;
    }
    if f.starts_with("41") || f == "1" {
        return Frame::Disconnect;
    }
    Frame::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_frames() {
        assert!(matches!(classify("2"), Frame::Ping));
        assert!(matches!(classify(r#"42["newMessage",{"text":"x"}]"#), Frame::NewMessage(_)));
        assert!(matches!(classify(r#"42["getOnlineUser",[]]"#), Frame::Other));
        match classify(r#"4317[{"message":{}}]"#) {
            Frame::Ack(17, b) => assert_eq!(b, r#"[{"message":{}}]"#),
            _ => panic!("not an ack"),
        }
        assert!(matches!(classify("41"), Frame::Disconnect));
    }
}
