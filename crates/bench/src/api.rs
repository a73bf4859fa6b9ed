//! The REST side: login through the dev mailbox, 1:1 chats, and REST sends.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::json;

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
struct Mail {
    to: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
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

/// Login → code from `/dev/mailbox.json` → verify.
pub async fn login(c: &reqwest::Client, base: &str, email: &str) -> Result<Session> {
    let r = c.post(format!("{base}/api/v1/login")).json(&json!({ "email": email })).send().await?;
    check(r, "login").await?;
    let mut otp = None;
    for _ in 0..100 {
        let r = c.get(format!("{base}/dev/mailbox.json")).send().await?;
        let mails: Vec<Mail> = check(r, "dev mailbox").await?.json().await?;
        // Newest first: the first mail to this address carries the open code.
        if let Some(m) = mails.iter().find(|m| m.to.eq_ignore_ascii_case(email)) {
            otp = six_digits(&m.subject).or_else(|| six_digits(&m.body)).map(str::to_owned);
            if otp.is_some() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(otp) = otp else { bail!("no login code for {email} in /dev/mailbox.json (console mailer on?)") };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_code() {
        assert_eq!(six_digits("Your natter login code: 012345"), Some("012345"));
        assert_eq!(six_digits("1234567 then 654321."), Some("654321"));
        assert_eq!(six_digits("none 12345"), None);
    }
}
