//! The ceiling: a bare WebSocket relay with no persistence that speaks just enough of
//! natter's protocol for `run` to drive it. REST calls are answered trivially: login
//! "mails" a fixed code to an in-memory mailbox, verify hands out token = user id,
//! chat ids name their two members. `sendMessage` is acked at once and the
//! `newMessage` frame is built once and pushed to every socket of both members (as
//! natter does: every socket of every member).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::sio::{self, ws_config};

type Tx = mpsc::UnboundedSender<Message>;

#[derive(Default)]
struct State {
    /// user id → (socket id, outbox)
    rooms: Mutex<HashMap<String, Vec<(u64, Tx)>>>,
    users: Mutex<HashMap<String, String>>,
    mails: Mutex<Vec<Value>>,
    next: AtomicU64,
}

impl State {
    fn id(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Builds the message, pushes `newMessage` to every socket of both members, and
    /// returns the message for the ack / HTTP answer.
    fn route(&self, sender: &str, p: &SendPayload) -> Value {
        // The rooms lock also orders the chat: seq is taken and the frames are queued
        // under it, so every socket sees seq grow.
        let rooms = self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let msg = json!({
            "_id": format!("m{}", self.id()),
            "chatId": p.chat_id,
            "sender": sender,
            "text": p.text,
            "clientId": p.client_id,
            "messageType": "text",
            "seq": self.id(),
        });
        let frame = Message::text(format!("42{}", json!(["newMessage", &msg])));
        for member in p.chat_id.split('~') {
            if let Some(socks) = rooms.get(member) {
                for (_, tx) in socks {
                    let _ = tx.send(frame.clone());
                }
            }
        }
        msg
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendPayload {
    chat_id: String,
    text: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// The accept queue: tokio's `TcpListener::bind` asks for 128, which a reconnect storm
/// of thousands overflows (the kernel then drops SYNs and clients retry after 1 s).
/// The kernel caps it at net.core.somaxconn (4096 here).
const BACKLOG: u32 = 4096;

pub async fn serve(listen: &str) -> Result<()> {
    let addr: std::net::SocketAddr = listen.parse().with_context(|| format!("bad --listen {listen}"))?;
    let sock = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    sock.set_reuseaddr(true)?;
    sock.bind(addr).with_context(|| format!("binding {listen}"))?;
    let l = sock.listen(BACKLOG)?;
    eprintln!("natter-bench relay listening on http://{}", l.local_addr()?);
    let st = Arc::new(State::default());
    loop {
        let (tcp, _) = match l.accept().await {
            Ok(x) => x,
            Err(e) => {
                // EMFILE and friends: back off instead of spinning.
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let st = st.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            let _ = conn(tcp, st).await;
        });
    }
}

async fn conn(tcp: TcpStream, st: Arc<State>) -> Result<()> {
    // Peek at the request line: websocket upgrades go to tungstenite, the rest to the
    // tiny HTTP/1.1 handler below.
    let mut head = [0u8; 16];
    let mut n = 0;
    for _ in 0..2000 {
        n = tcp.peek(&mut head).await?;
        if n >= head.len() || n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    if head.get(..n).is_some_and(|h| h.starts_with(b"GET /socket.io/")) {
        socket(tcp, st).await
    } else {
        http(tcp, st).await
    }
}

async fn socket(tcp: TcpStream, st: Arc<State>) -> Result<()> {
    let mut ws = tokio_tungstenite::accept_async_with_config(tcp, Some(ws_config())).await?;
    let sid = st.id();
    ws.send(Message::text(format!(
        r#"0{{"sid":"r{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}"#
    )))
    .await?;
    // CONNECT: 40{"token": "<user id>"}
    let user = loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                if let Some(auth) = t.as_str().strip_prefix("40") {
                    let v: Value = serde_json::from_str(auth).unwrap_or(Value::Null);
                    match v.get("token").and_then(Value::as_str) {
                        Some(tok) if !tok.is_empty() => break tok.to_owned(),
                        _ => {
                            ws.send(Message::text(r#"44{"message":"unauthorized"}"#)).await?;
                            return Ok(());
                        }
                    }
                }
            }
            Some(Ok(_)) => {}
            _ => return Ok(()),
        }
    };
    ws.send(Message::text(format!(r#"40{{"sid":"s{sid}"}}"#))).await?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    if let Ok(mut rooms) = st.rooms.lock() {
        rooms.entry(user.clone()).or_default().push((sid, tx.clone()));
    }
    loop {
        tokio::select! {
            Some(m) = rx.recv() => {
                if ws.send(m).await.is_err() {
                    break;
                }
            }
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    let f = t.as_str();
                    if let Some(rest) = f.strip_prefix("42") {
                        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
                        let (ack, body) = rest.split_at(end);
                        if let Ok((ev, p)) = serde_json::from_str::<(String, SendPayload)>(body)
                            && ev == "sendMessage"
                        {
                            let msg = st.route(&user, &p);
                            if !ack.is_empty() {
                                let _ = tx.send(Message::text(format!("43{ack}{}", json!([{ "message": msg }]))));
                            }
                        }
                    } else if matches!(sio::classify(f), sio::Frame::Disconnect) {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    }
    if let Ok(mut rooms) = st.rooms.lock()
        && let Some(v) = rooms.get_mut(&user)
    {
        v.retain(|(id, _)| *id != sid);
        if v.is_empty() {
            rooms.remove(&user);
        }
    }
    Ok(())
}

/// Minimal HTTP/1.1 with keep-alive: enough for reqwest.
async fn http(mut tcp: TcpStream, st: Arc<State>) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = tcp.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if buf.len() > 64 * 1024 {
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default()).into_owned();
        let mut lines = head.split("\r\n");
        let mut rl = lines.next().unwrap_or_default().split(' ');
        let method = rl.next().unwrap_or_default().to_owned();
        let path = rl.next().unwrap_or_default().to_owned();
        let mut len = 0usize;
        let mut bearer = None;
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                let v = v.trim();
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.parse().unwrap_or(0);
                } else if k.eq_ignore_ascii_case("authorization") {
                    bearer = v.strip_prefix("Bearer ").map(str::to_owned);
                }
            }
        }
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 4096];
            let n = tcp.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        let body: Value = serde_json::from_slice(buf.get(head_end..head_end + len).unwrap_or_default())
            .unwrap_or(Value::Null);
        buf.drain(..head_end + len);
        let (status, answer) = handle(&st, &method, &path, bearer.as_deref(), &body);
        let text = answer.to_string();
        let reason = match status {
            200 => "OK",
            201 => "Created",
            400 => "Bad Request",
            401 => "Unauthorized",
            _ => "Not Found",
        };
        let resp = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        tcp.write_all(resp.as_bytes()).await?;
    }
}

fn handle(st: &State, method: &str, path: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    match (method, path) {
        ("GET", "/healthz") => (200, json!({ "status": "ok" })),
        ("POST", "/api/v1/login") => {
            let email = s("email").trim().to_lowercase();
            if let Ok(mut m) = st.mails.lock() {
                m.push(json!({ "to": email, "subject": "Your natter login code: 123456",
                               "body": "Your code is 123456", "sentAt": "" }));
            }
            (200, json!({ "message": "code sent" }))
        }
        ("GET", "/dev/mailbox.json") => {
            let mails: Vec<Value> =
                st.mails.lock().map(|m| m.iter().rev().cloned().collect()).unwrap_or_default();
            (200, Value::Array(mails))
        }
        ("POST", "/api/v1/verify") => {
            let email = s("email").trim().to_lowercase();
            let id = match st.users.lock() {
                Ok(mut u) => {
                    let n = u.len();
                    u.entry(email.clone()).or_insert_with(|| format!("u{n}")).clone()
                }
                Err(_) => return (400, json!({ "message": "poisoned" })),
            };
            (200, json!({ "message": "ok", "token": id, "user": { "_id": id, "email": email } }))
        }
        ("POST", "/api/v1/chat/new") => {
            let (Some(me), other) = (bearer, s("otherUserId")) else {
                return (401, json!({ "message": "unauthorized", "code": "unauthenticated" }));
            };
            let mut pair = [me.to_owned(), other];
            pair.sort();
            (200, json!({ "message": "ok", "chatId": pair.join("~") }))
        }
        ("POST", "/api/v1/message") => {
            let Some(me) = bearer else {
                return (401, json!({ "message": "unauthorized", "code": "unauthenticated" }));
            };
            match serde_json::from_value::<SendPayload>(body.clone()) {
                Ok(p) => {
                    let msg = st.route(me, &p);
                    (201, json!({ "message": msg, "sender": me }))
                }
                Err(_) => (400, json!({ "message": "bad body", "code": "invalid_body" })),
            }
        }
        _ => (404, json!({ "message": "not found", "code": "not_found" })),
    }
}
