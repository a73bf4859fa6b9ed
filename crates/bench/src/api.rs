//! The REST side: login through the dev mailbox, 1:1 chats, and REST sends.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::json;

use crate::mailbox::Mailbox;

#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub user_id: String,
}

pub fn client(local: Option<IpAddr>) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true);
    if let Some(ip) = local {
        b = b.local_address(ip);
    }
    b.build().context("building the HTTP client")
}

#[derive(Deserialize)]
struct Verified {
    token: String,
    user: UserRef,
}

#[derive(Deserialize)]
struct UserRef {
    #[serde(rename = "_id")]
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewChat {
    chat_id: String,
}

/// The first run of exactly six ASCII digits.
pub fn six_digits(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return s.get(start..i);
            }
        } else {
            i += 1;
        }
    }
    None
}

async fn check(resp: reqwest::Response, what: &str) -> Result<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let body = resp.text().await.unwrap_or_default();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        bail!(
            "{what}: 429 rate limited ({body}); natter allows 20 logins and 60 verifies per source IP \
             per 10 minutes: use more --source-ips, fewer --users, or a fresh server"
        );
    }
    bail!("{what}: HTTP {status}: {body}")
}

/// How long a login waits for its code: the mail worker may queue behind a burst.
const CODE_WAIT: Duration = Duration::from_secs(30);

/// Login → code from the dev mailbox → verify.
pub async fn login(c: &reqwest::Client, base: &str, mailbox: &Mailbox, email: &str) -> Result<Session> {
    let code = mailbox.expect(email);
    let r = c.post(format!("{base}/api/v1/login")).json(&json!({ "email": email })).send().await;
    let sent = match r {
        Ok(r) => check(r, "login").await.map(drop),
        Err(e) => Err(e.into()),
    };
    if let Err(e) = sent {
        mailbox.forget(email);
        return Err(e);
    }
    let otp = match tokio::time::timeout(CODE_WAIT, code).await {
        Ok(Ok(otp)) => otp,
        _ => {
            mailbox.forget(email);
            bail!(
                "no login code for {email} in /dev/mailbox.json within {} s (console mailer on? \
                 more than 200 logins at once?)",
                CODE_WAIT.as_secs()
            )
        }
    };
    let r =
        c.post(format!("{base}/api/v1/verify")).json(&json!({ "email": email, "otp": otp })).send().await?;
    let v: Verified = check(r, "verify").await?.json().await?;
    Ok(Session { token: v.token, user_id: v.user.id })
}

pub async fn new_chat(c: &reqwest::Client, base: &str, s: &Session, other: &str) -> Result<String> {
    let r = c
        .post(format!("{base}/api/v1/chat/new"))
        .bearer_auth(&s.token)
        .json(&json!({ "otherUserId": other }))
        .send()
        .await?;
    let v: NewChat = check(r, "chat/new").await?.json().await?;
    Ok(v.chat_id)
}

/// The largest page natter serves.
pub const EVENTS_PAGE: usize = 500;

/// One page of `GET /api/v1/chat/:id/events`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsPage {
    pub events: Vec<ChatEvent>,
    pub last_seq: i64,
}

#[derive(Deserialize)]
pub struct ChatEvent {
    pub seq: i64,
    /// The message, for `message.created` (the only kind a load run makes).
    pub payload: EventMessage,
}

#[derive(Deserialize)]
pub struct EventMessage {
    pub text: String,
}

/// How a catch-up read waits before it asks again after a 503 (`overloaded`): what a
/// client that must not lose a message does. The waits add up to ~25 s.
const EVENTS_BUSY_WAITS: [Duration; 8] = [
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1_600),
    Duration::from_millis(3_200),
    Duration::from_millis(6_400),
    Duration::from_millis(12_800),
];

/// The chat's durable events after `after`; `None` when the server has no such
/// endpoint (the bare relay keeps nothing to catch up from). A server that answers
/// 503 is asked again (`EVENTS_BUSY_WAITS`), so a storm's loss count is not a count of
/// reads the server shed.
pub async fn events(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    chat: &str,
    after: i64,
) -> Result<Option<EventsPage>> {
    let mut waits = EVENTS_BUSY_WAITS.iter();
    let r = loop {
        let r = c
            .get(format!("{base}/api/v1/chat/{chat}/events"))
            .query(&[("after", after.to_string()), ("limit", EVENTS_PAGE.to_string())])
            .bearer_auth(token)
            .send()
            .await?;
        match waits.next() {
            Some(wait) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                tokio::time::sleep(*wait).await
            }
            _ => break r,
        }
    };
    if r.status() == reqwest::StatusCode::NOT_FOUND {
        let body = r.text().await.unwrap_or_default();
        // natter answers 404 `chat_not_found` for a chat it does not know: a real error.
        if body.contains("chat_not_found") {
            bail!("events of {chat}: 404 {body}");
        }
        return Ok(None);
    }
    Ok(Some(check(r, "chat events").await?.json().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers each HTTP request on `listener` with the next of `answers` (status, body),
    /// one connection per request, and counts the requests.
    async fn answer(listener: tokio::net::TcpListener, answers: Vec<(&'static str, &'static str)>) -> usize {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut served = 0;
        for (status, body) in answers {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = conn.read(&mut buf).await.unwrap();
                assert!(n > 0, "the client hung up before its request");
                head.extend_from_slice(&buf[..n]);
            }
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(reply.as_bytes()).await.unwrap();
            served += 1;
        }
        served
    }

    #[tokio::test]
    async fn a_catch_up_read_answered_503_is_asked_again() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let busy = r#"{"code":"overloaded","message":"The server is busy."}"#;
        let page = r#"{"events":[{"seq":7,"payload":{"text":"hi"}}],"lastSeq":7}"#;
        let server = tokio::spawn(answer(
            listener,
            vec![("503 Service Unavailable", busy), ("503 Service Unavailable", busy), ("200 OK", page)],
        ));
        let got = events(&client(None).unwrap(), &base, "token", "chat", 0).await.unwrap().unwrap();
        assert_eq!(server.await.unwrap(), 3, "two 503s, then the page");
        assert_eq!(got.last_seq, 7);
        assert_eq!(got.events.first().map(|e| e.payload.text.as_str()), Some("hi"));
    }

    #[tokio::test]
    async fn other_errors_are_not_asked_again() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server =
            tokio::spawn(answer(listener, vec![("500 Internal Server Error", r#"{"code":"internal"}"#)]));
        let got = events(&client(None).unwrap(), &base, "token", "chat", 0).await;
        assert!(got.is_err(), "a 500 is an error at once");
        assert_eq!(server.await.unwrap(), 1);
    }

    #[test]
    fn finds_the_code() {
        assert_eq!(six_digits("Your natter login code: 012345"), Some("012345"));
        assert_eq!(six_digits("1234567 then 654321."), Some("654321"));
        assert_eq!(six_digits("none 12345"), None);
    }
}
