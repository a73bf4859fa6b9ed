//! A Socket.IO client for tests: the `rust_socketio` crate (not written here), with
//! every event it receives collected into a channel the test reads with deadlines.

use std::time::Duration;

use futures::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::TestApp;

const DEADLINE: Duration = Duration::from_secs(5);

pub struct TestSocket {
    client: Client,
    rx: mpsc::UnboundedReceiver<(String, Value)>,
}

/// How to open a socket.
#[derive(Default, Clone)]
pub struct SocketOptions {
    /// Sent as the handshake's `auth` payload.
    pub auth: Option<Value>,
    /// Sent on the opening HTTP requests (`Cookie`, `Origin`).
    pub headers: Vec<(String, String)>,
    pub polling_only: bool,
}

fn payload_json(p: Payload) -> Value {
    match p {
        Payload::Text(mut v) if v.len() == 1 => v.remove(0),
        Payload::Text(v) => Value::Array(v),
        Payload::Binary(b) => json!({ "binary": b.len() }),
        #[allow(deprecated)]
        Payload::String(s) => Value::String(s),
    }
}

impl TestSocket {
    /// Connect with `auth: { token }` and wait until the server accepted the socket.
    pub async fn connect(app: &TestApp, token: &str) -> TestSocket {
        let opts = SocketOptions { auth: Some(json!({ "token": token })), ..Default::default() };
        Self::try_connect(app, opts).await.expect("the socket is accepted")
    }

    /// `Err(message)` when the server refused the connection.
    pub async fn try_connect(app: &TestApp, opts: SocketOptions) -> Result<TestSocket, String> {
        let (tx, mut rx) = mpsc::unbounded_channel::<(String, Value)>();
        let (t1, t2, t3, t4) = (tx.clone(), tx.clone(), tx.clone(), tx);
        let mut b = ClientBuilder::new(format!("{}/", app.url))
            .reconnect(false)
            .on(Event::Connect, move |p, _| {
                let t = t1.clone();
                async move {
                    let _ = t.send(("open".into(), payload_json(p)));
                }
                .boxed()
            })
            .on(Event::Error, move |p, _| {
                let t = t2.clone();
                async move {
                    let _ = t.send(("error".into(), payload_json(p)));
                }
                .boxed()
            })
            .on(Event::Close, move |p, _| {
                let t = t3.clone();
                async move {
                    let _ = t.send(("close".into(), payload_json(p)));
                }
                .boxed()
            })
            .on_any(move |ev, p, _| {
                let t = t4.clone();
                async move {
                    let _ = t.send((ev.to_string(), payload_json(p)));
                }
                .boxed()
            });
        if let Some(auth) = opts.auth {
            b = b.auth(auth);
        }
        for (k, v) in opts.headers {
            b = b.opening_header(k.as_str(), v.as_str());
        }
        if opts.polling_only {
            b = b.transport_type(TransportType::Polling);
        }
        let client = b.connect().await.map_err(|e| format!("transport refused: {e}"))?;
        // connect() returns before the server answered the namespace CONNECT.
        let outcome = timeout(DEADLINE, async {
            loop {
                match rx.recv().await {
                    Some((ev, _)) if ev == "open" => return Ok(()),
                    Some((ev, v)) if ev == "error" => return Err(v.to_string()),
                    Some(_) => {}
                    None => return Err("closed".to_string()),
                }
            }
        })
        .await
        .unwrap_or_else(|_| Err("no answer to the handshake".into()));
        match outcome {
            Ok(()) => Ok(TestSocket { client, rx }),
            Err(e) => {
                let _ = client.disconnect().await;
                Err(e)
            }
        }
    }

    /// The next `event`, skipping others; fails the test after a deadline.
    pub async fn expect(&mut self, event: &str) -> Value {
        let fut = async {
            loop {
                let (ev, v) = self.rx.recv().await.expect("the socket's channel closed");
                if ev == event {
                    return v;
                }
            }
        };
        timeout(DEADLINE, fut).await.unwrap_or_else(|_| panic!("no '{event}' within {DEADLINE:?}"))
    }

    /// The names of every event received before the next `barrier` (consumed, and
    /// returned last), which fails the test after a deadline. To show that something
    /// did not arrive, make the server send a `barrier` that would come after it.
    pub async fn events_until(&mut self, barrier: &str) -> (Vec<String>, Value) {
        let mut before = Vec::new();
        let fut = async {
            loop {
                let (ev, v) = self.rx.recv().await.expect("the socket's channel closed");
                if ev == barrier {
                    return v;
                }
                before.push(ev);
            }
        };
        let v = timeout(DEADLINE, fut).await.unwrap_or_else(|_| panic!("no '{barrier}' within {DEADLINE:?}"));
        (before, v)
    }

    /// Every `event` that arrives within `wait`.
    pub async fn collect(&mut self, event: &str, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        let _ = timeout(wait, async {
            while let Some((ev, v)) = self.rx.recv().await {
                if ev == event {
                    out.push(v);
                }
            }
        })
        .await;
        out
    }

    pub async fn emit(&self, event: &str, payload: Value) {
        self.client.emit(event, payload).await.expect("emit");
    }

    /// Emit with an ack and return the ack's first argument.
    pub async fn ack(&self, event: &str, payload: Value) -> Value {
        let (tx, mut rx) = mpsc::unbounded_channel();
        self.client
            .emit_with_ack(event, payload, DEADLINE, move |p, _| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(payload_json(p));
                }
                .boxed()
            })
            .await
            .expect("emit");
        match timeout(DEADLINE, rx.recv()).await.expect("no ack in time").expect("ack channel") {
            Value::Array(mut args) if !args.is_empty() => args.remove(0),
            other => other,
        }
    }

    pub async fn disconnect(self) {
        let _ = self.client.disconnect().await;
    }
}
