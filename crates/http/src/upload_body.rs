//! Upload bodies are read to their end before the answer goes out, whatever the
//! answer, so a client still sending learns why it was refused.
//!
//! When a server answers before it has read the whole request body and closes the
//! connection (what hyper does with an unread body), the client is still writing:
//! it gets EPIPE or a reset, and fetch() or reqwest never show it the 413. So the
//! handler reads the body through a channel while this layer owns the real one;
//! once the handler has answered, the rest is read and thrown away, up to
//! `DRAIN_LIMIT` bytes and `DRAIN_TIME`. Past those the answer goes out with
//! `Connection: close`: nobody should upload 40 MB to learn the limit is 10.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use tokio::sync::mpsc;

use crate::error::json_error;
use crate::routes::messages::UPLOAD_BODY_LIMIT;

/// A body declared larger than this is refused without reading it, and the
/// connection closed.
pub const DRAIN_LIMIT: u64 = 4 * UPLOAD_BODY_LIMIT as u64;
/// How long the rest of a body may take to arrive after the answer is ready.
const DRAIN_TIME: Duration = Duration::from_secs(30);

fn too_large() -> Response {
    json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "The upload is larger than 10 MB.")
}

fn closing(mut res: Response) -> Response {
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

pub async fn drain_upload(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let (parts, body) = req.into_parts();

    if let Some(len) = declared.filter(|&n| n > UPLOAD_BODY_LIMIT as u64) {
        // A client waiting for `100 Continue` has sent nothing yet: tell it now.
        if expects_continue {
            return too_large();
        }
        if len > DRAIN_LIMIT {
            return closing(too_large());
        }
        let res = too_large();
        return match tokio::time::timeout(DRAIN_TIME, discard(body)).await {
            Ok(true) => res,
            _ => closing(res),
        };
    }

    let (tx, rx) = mpsc::channel::<Result<Bytes, axum::Error>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let handler = next.run(Request::from_parts(parts, Body::from_stream(stream)));
    let pump = forward(body, tx);
    tokio::pin!(handler, pump);
    let mut read_all = None;
    let res = loop {
        tokio::select! {
            res = &mut handler => break res,
            done = &mut pump, if read_all.is_none() => read_all = Some(done),
        }
    };
    let read_all = match read_all {
        Some(done) => done,
        None => tokio::time::timeout(DRAIN_TIME, pump).await.unwrap_or(false),
    };
    if read_all { res } else { closing(res) }
}

/// Hands the body to the handler chunk by chunk for as long as it reads, then
/// reads the rest into the void, up to `DRAIN_LIMIT` in all. True when the body
/// was read to its end.
async fn forward(mut body: Body, tx: mpsc::Sender<Result<Bytes, axum::Error>>) -> bool {
    let mut tx = Some(tx);
    let mut read = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(Err(e)).await;
                }
                return false;
            }
        };
        let Ok(data) = frame.into_data() else { continue };
        read += data.len() as u64;
        if let Some(sender) = &tx
            && sender.send(Ok(data)).await.is_err()
        {
            tx = None;
        }
        if tx.is_none() && read > DRAIN_LIMIT {
            return false;
        }
    }
    true
}

/// Reads a body to its end, up to `DRAIN_LIMIT`; true when it ended.
async fn discard(body: Body) -> bool {
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    forward(body, tx).await
}
