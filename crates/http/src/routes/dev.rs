//! `/dev/mailbox`: what the console mailer sent, for development without a mail
//! server. Mounted only when the console mailer is in use.

use std::fmt::Write;

use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/dev/mailbox", get(mailbox_page)).route("/dev/mailbox.json", get(mailbox_json))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MailDto {
    to: String,
    subject: String,
    body: String,
    sent_at: natter_domain::Timestamp,
}

fn recent(s: &AppState) -> Vec<MailDto> {
    let mails = s.mailbox.as_ref().map(|m| m.recent()).unwrap_or_default();
    mails
        .into_iter()
        .map(|m| MailDto { to: m.mail.to, subject: m.mail.subject, body: m.mail.body, sent_at: m.sent_at })
        .collect()
}

async fn mailbox_json(State(s): State<AppState>) -> Json<Vec<MailDto>> {
    Json(recent(&s))
}

async fn mailbox_page(State(s): State<AppState>) -> Html<String> {
    let mut rows = String::new();
    for m in recent(&s) {
        let _ = write!(
            rows,
            "<article><header><b>{}</b> <time>{}</time></header><h2>{}</h2><pre>{}</pre></article>",
            escape(&m.to),
            m.sent_at.to_rfc3339(),
            escape(&m.subject),
            escape(&m.body)
        );
    }
    if rows.is_empty() {
        rows.push_str("<p>No mail yet. Ask for a login code and reload.</p>");
    }
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>natter dev mailbox</title>\
         <meta name=viewport content=\"width=device-width\"><style>\
         body{{font:15px system-ui,sans-serif;background:#0f172a;color:#e2e8f0;max-width:48rem;margin:2rem auto;padding:0 1rem}}\
         article{{background:#1e293b;border-radius:.75rem;padding:1rem;margin:1rem 0}}\
         h2{{font-size:1.05rem;margin:.5rem 0}}time{{color:#94a3b8;margin-left:.5rem}}pre{{white-space:pre-wrap}}\
         </style></head><body><h1>Dev mailbox</h1><p>Mail the console mailer sent, newest first. \
         This page exists only while no SMTP server is configured.</p>{rows}</body></html>"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
