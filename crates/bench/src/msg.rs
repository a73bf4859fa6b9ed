//! The generator's messages: the text header every receiver decodes on its own, the
//! `sendMessage` / `POST /api/v1/message` body, and the REST send.
//!
//! The text of each message is `nb|<sender>|<seq>|<intended µs since t0>|` padded to
//! the wanted size, so a receiving socket knows who sent it, the sender's sequence
//! number and the intended send time without any shared state.

use std::sync::Arc;

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::api;
use crate::setup::{self, Setup};

/// REST clients (one per source address) used for sends: their pooled connections
/// count against the open-file limit the sockets already use most of.
const REST_CLIENTS: usize = 16;

/// The fields of a `newMessage` (or an event's message) the generator reads.
#[derive(Deserialize)]
pub struct MsgText {
    pub text: String,
    /// The chat's sequence number: natter and the Node peer set it.
    #[serde(default)]
    pub seq: Option<i64>,
}

/// `(sender, sender's seq, intended µs)` from a generator's text.
pub fn parse_text(t: &str) -> Option<(usize, u64, u64)> {
    let mut it = t.split('|');
    if it.next()? != "nb" {
        return None;
    }
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// Builds send bodies for the users of a `Setup`.
pub struct Composer {
    chat_json: Vec<String>,
    rid: String,
    size: usize,
}

impl Composer {
    pub fn new(setup: &Setup, size: usize) -> Composer {
        let chat_json = setup.chat_of.iter().map(|c| serde_json::to_string(c).unwrap_or_default()).collect();
        // A fresh client-id prefix per point: natter would answer a repeated
        // (sender, clientId) with the old message instead of storing a new one.
        Composer { chat_json, rid: setup::run_id(), size }
    }

    /// The JSON body of message `seq` of user `sender` into its 1:1 chat.
    pub fn payload(&self, sender: usize, seq: u64, intended_us: u64) -> String {
        let mut text = format!("nb|{sender}|{seq}|{intended_us}|");
        if text.len() < self.size {
            text.extend(std::iter::repeat_n('x', self.size - text.len()));
        }
        let chat = self.chat_json.get(sender).map_or("\"\"", String::as_str);
        format!(r#"{{"chatId":{chat},"text":"{text}","clientId":"{}-{sender}-{seq}"}}"#, self.rid)
    }
}

/// `POST /api/v1/message` for every user of a `Setup`.
#[derive(Clone)]
pub struct RestPoster {
    clients: Arc<[reqwest::Client]>,
    url: Arc<str>,
    bearers: Arc<[String]>,
}

impl RestPoster {
    pub fn new(setup: &Setup) -> Result<RestPoster> {
        let clients: Vec<reqwest::Client> =
            setup.ips.iter().take(REST_CLIENTS).map(|ip| api::client(*ip)).collect::<Result<_>>()?;
        if clients.is_empty() {
            bail!("no source address for REST sends");
        }
        Ok(RestPoster {
            clients: clients.into(),
            url: format!("{}/api/v1/message", setup.base).into(),
            bearers: setup.sessions.iter().map(|s| format!("Bearer {}", s.token)).collect(),
        })
    }

    /// Sends user `sender`'s `payload`; Ok once the server answered 2xx.
    pub async fn post(&self, sender: usize, payload: String) -> Result<()> {
        let (Some(c), Some(bearer)) =
            (self.clients.get(sender % self.clients.len()), self.bearers.get(sender))
        else {
            bail!("user {sender} has no session");
        };
        let resp = c
            .post(&*self.url)
            .header(reqwest::header::AUTHORIZATION, bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("POST /api/v1/message: {e}"))?;
        let st = resp.status();
        if st.is_success() {
            let _ = resp.bytes().await;
            return Ok(());
        }
        let body = resp.text().await.unwrap_or_default();
        bail!("POST /api/v1/message: {st} {body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_text_header() {
        assert_eq!(parse_text("nb|3|17|12345|xxxx"), Some((3, 17, 12345)));
        assert_eq!(parse_text("hello"), None);
    }
}
