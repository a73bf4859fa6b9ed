//! Real mail over SMTP, through lettre.
//!
//! `NATTER_SMTP_URL` forms: `smtp://user:pass@host:587` (STARTTLS required),
//! `smtps://user:pass@host:465` (TLS from the first byte), and
//! `smtp://host:port?tls=none` for a trusted local relay without TLS.

use anyhow::{Context, bail};
use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use natter_domain::entities::Mail;
use natter_domain::ports::Mailer;
use url::Url;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Self> {
        let url = lettre_url(smtp_url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .context("NATTER_SMTP_URL is not a usable SMTP URL")?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = from.parse().with_context(|| {
            format!("NATTER_MAIL_FROM {from:?} is not a mail address like `natter <no-reply@example.com>`")
        })?;
        Ok(Self { transport, from })
    }
}

/// Translate natter's URL convention (STARTTLS unless told otherwise) into lettre's
/// (plain text unless `tls=required`).
fn lettre_url(raw: &str) -> anyhow::Result<String> {
    let mut url = Url::parse(raw).context("NATTER_SMTP_URL is not a URL")?;
    if url.host_str().is_none_or(str::is_empty) {
        bail!("NATTER_SMTP_URL needs a host, like smtp://mail.example.com:587");
    }
    let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    let others: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "tls")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &others {
            q.append_pair(k, v);
        }
        match (url_scheme(raw), tls.as_deref()) {
            ("smtp", None | Some("required")) => {
                q.append_pair("tls", "required");
            }
            ("smtp", Some("opportunistic")) => {
                q.append_pair("tls", "opportunistic");
            }
            ("smtp", Some("none")) | ("smtps", None) => {}
            (scheme, tls) => bail!(
                "NATTER_SMTP_URL: scheme {scheme:?} with tls={tls:?} is not supported; use smtp://, smtps:// or smtp://host:port?tls=none"
            ),
        }
    }
    let s = url.to_string();
    Ok(s.strip_suffix('?').map(str::to_owned).unwrap_or(s))
}

fn url_scheme(raw: &str) -> &str {
    raw.split_once("://").map(|(s, _)| s).unwrap_or_default()
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        let to: Mailbox = mail.to.parse().context("the recipient is not a valid address")?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .context("cannot build the mail")?;
        self.transport.send(message).await.context("the SMTP server refused or failed")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_urls_require_starttls_unless_told_otherwise() {
        assert_eq!(
            lettre_url("smtp://u:p@mail.example.com:587").ok().as_deref(),
            Some("smtp://u:p@mail.example.com:587?tls=required")
        );
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525?tls=none").ok().as_deref(),
            Some("smtp://127.0.0.1:2525")
        );
        assert_eq!(
            lettre_url("smtps://u:p@mail.example.com").ok().as_deref(),
            Some("smtps://u:p@mail.example.com")
        );
        assert!(lettre_url("http://example.com").is_err());
        assert!(lettre_url("smtp://").is_err());
    }
}
