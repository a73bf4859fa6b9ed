//! The still-unread mail: a member whose oldest unread message has waited their delay
//! gets one mail listing their unread chats with the first lines, and a link. Read
//! anywhere before the delay, there is nothing unread and no mail. At most one such
//! mail an hour per user, and never twice about the same message. Every node with
//! the mail role looks; the store's claim lets one of them mail each user.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use natter_domain::entities::{JobKind, Mail};
use natter_domain::ids::ChatId;
use natter_domain::notify::{UnreadDigest, UnreadMail};
use natter_domain::ports::{Clock, Store};
use tokio::sync::Notify;

use crate::job_seal::JobSeal;

/// The delay for members who did not choose one.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(15 * 60);
/// The least time between two still-unread mails to one user.
pub const MIN_GAP: Duration = Duration::from_secs(60 * 60);
/// Lines read per look, over all users (the next look reads on).
const LINES_PER_LOOK: u32 = 2_000;
/// Chats a mail lists, and lines per chat.
const MAX_CHATS: usize = 10;
const MAX_LINES_PER_CHAT: usize = 3;
const MAX_LINE_CHARS: usize = 140;

pub struct UnreadMailer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    seal: JobSeal,
    /// Wakes the job worker once a mail is queued.
    jobs_wake: Arc<Notify>,
    public_origin: String,
    default_delay: Duration,
}

impl UnreadMailer {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        seal: JobSeal,
        jobs_wake: Arc<Notify>,
        public_origin: String,
        default_delay: Duration,
    ) -> Self {
        Self { store, clock, seal, jobs_wake, public_origin, default_delay }
    }

    /// How often to look: often enough that a mail is late by a fraction of the
    /// shortest delay, at most every 30 s.
    pub fn every(&self) -> Duration {
        (self.default_delay.min(Duration::from_secs(5 * 60)) / 4)
            .clamp(Duration::from_millis(250), Duration::from_secs(30))
    }

    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let every = self.every();
        loop {
            if let Err(e) = self.look().await {
                tracing::warn!(error = ?e, "could not look for unread messages to mail");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Queue the mails due now; how many were queued.
    pub async fn look(&self) -> anyhow::Result<usize> {
        let now = self.clock.now();
        let digests = self.store.unread_digests(now, self.default_delay, MIN_GAP, LINES_PER_LOOK).await?;
        let mut queued = 0;
        for d in digests {
            let mail = self.compose(&d);
            let job = self.seal.seal(&JobKind::SendMail(mail))?;
            let upto = d.lines.iter().map(|l| l.created_at).max().unwrap_or(now);
            if self.store.claim_unread_mail(d.user, d.mailed_at, now, upto, job).await? {
                queued += 1;
                tracing::info!(user.id = %d.user, "still-unread mail queued");
            }
        }
        if queued > 0 {
            self.jobs_wake.notify_one();
        }
        Ok(queued)
    }

    fn compose(&self, d: &UnreadDigest) -> Mail {
        compose(d, &self.public_origin, self.default_delay)
    }
}

/// The mail for one digest: plain text, one block per chat, newest chats last as
/// they were written, with a link to each. `default_delay`: the delay of a member on
/// the default, as the mail says it.
pub fn compose(d: &UnreadDigest, public_origin: &str, default_delay: Duration) -> Mail {
    // Chats in the order their first unread line came, each with its lines.
    let mut order: Vec<ChatId> = Vec::new();
    let mut chats: BTreeMap<ChatId, Vec<&natter_domain::notify::UnreadLine>> = BTreeMap::new();
    for line in &d.lines {
        if !chats.contains_key(&line.chat_id) {
            order.push(line.chat_id);
        }
        chats.entry(line.chat_id).or_default().push(line);
    }
    let total = d.lines.len();
    let senders: Vec<&str> = {
        let mut names: Vec<&str> = Vec::new();
        for l in &d.lines {
            if !names.contains(&l.sender_name.as_str()) {
                names.push(&l.sender_name);
            }
        }
        names
    };
    let from = match senders.as_slice() {
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [a, rest @ ..] => format!("{a} and {} others", rest.len()),
        [] => "natter".to_owned(),
    };
    let plural = if total == 1 { "message" } else { "messages" };
    let subject = format!("{total} unread {plural} from {from}");
    let mut body = format!("Hi {},\n\nYou have {total} unread {plural} in natter.\n", d.name);
    for chat in order.iter().take(MAX_CHATS) {
        let lines = &chats[chat];
        let title = match &lines[0].group_name {
            Some(group) => group.clone(),
            None => lines[0].sender_name.clone(),
        };
        body.push_str(&format!("\n{title} ({} unread)\n", lines.len()));
        for l in lines.iter().take(MAX_LINES_PER_CHAT) {
            let first = l.text.lines().next().unwrap_or_default();
            let mut text: String = first.chars().take(MAX_LINE_CHARS).collect();
            if first.chars().count() > MAX_LINE_CHARS {
                text.push('…');
            }
            if l.is_image {
                text = if text.is_empty() { "[photo]".to_owned() } else { format!("[photo] {text}") };
            }
            body.push_str(&format!("  {}: {text}\n", l.sender_name));
        }
        if lines.len() > MAX_LINES_PER_CHAT {
            body.push_str(&format!("  … and {} more\n", lines.len() - MAX_LINES_PER_CHAT));
        }
        body.push_str(&format!("  {public_origin}/chat/{chat}\n"));
    }
    if order.len() > MAX_CHATS {
        body.push_str(&format!("\n… and {} more chats.\n", order.len() - MAX_CHATS));
    }
    let when = match d.setting {
        UnreadMail::After(m) => format!("{m} minutes"),
        _ => spoken(default_delay),
    };
    body.push_str(&format!(
        "\nYou get this mail when a message stays unread for {when}, at most once an hour.\n\
         Change it or turn it off in natter's notification settings: {public_origin}/settings\n"
    ));
    Mail { to: d.email.clone(), subject, body }
}

/// `15 minutes`, `1 hour`, `30 seconds`.
fn spoken(d: Duration) -> String {
    let s = d.as_secs();
    let (n, unit) = if s >= 3600 && s.is_multiple_of(3600) {
        (s / 3600, "hour")
    } else if s >= 60 && s.is_multiple_of(60) {
        (s / 60, "minute")
    } else {
        (s.max(1), "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use natter_domain::Timestamp;
    use natter_domain::ids::UserId;
    use natter_domain::notify::UnreadLine;

    use super::*;

    fn line(chat: ChatId, group: Option<&str>, sender: &str, text: &str) -> UnreadLine {
        UnreadLine {
            chat_id: chat,
            group_name: group.map(Into::into),
            sender_name: sender.into(),
            text: text.into(),
            is_image: text.is_empty(),
            created_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn the_mail_lists_each_chat_with_its_first_lines_and_a_link() {
        let (direct, group) = (ChatId::new(), ChatId::new());
        let d = UnreadDigest {
            user: UserId::new(),
            email: "bob@example.com".into(),
            name: "Bob".into(),
            setting: UnreadMail::After(5),
            mailed_at: None,
            lines: vec![
                line(direct, None, "Ada", "are you there?\nsecond line"),
                line(group, Some("Launch"), "Cy", "ship it"),
                line(direct, None, "Ada", ""),
                line(group, Some("Launch"), "Ada", &"long ".repeat(50)),
            ],
        };
        let mail = compose(&d, "https://chat.example", DEFAULT_DELAY);
        assert_eq!(mail.to, "bob@example.com");
        assert_eq!(mail.subject, "4 unread messages from Ada and Cy");
        let b = &mail.body;
        assert!(b.contains("Ada (2 unread)\n  Ada: are you there?\n  Ada: [photo]\n"), "{b}");
        assert!(!b.contains("second line"), "first lines only: {b}");
        assert!(b.contains(&format!("https://chat.example/chat/{direct}")), "{b}");
        assert!(b.contains("Launch (2 unread)\n  Cy: ship it\n"), "{b}");
        assert!(b.contains('…'), "a long line is cut: {b}");
        assert!(b.contains("5 minutes"), "{b}");
        let on_default =
            compose(&UnreadDigest { setting: UnreadMail::Default, ..d.clone() }, "https://x", DEFAULT_DELAY);
        assert!(on_default.body.contains("unread for 15 minutes"), "{}", on_default.body);
        assert_eq!(spoken(Duration::from_secs(3600)), "1 hour");
        assert_eq!(spoken(Duration::from_secs(3)), "3 seconds");
        assert!(
            b.find("Ada (2").unwrap_or(usize::MAX) < b.find("Launch").unwrap_or(0),
            "in the order they came"
        );
    }
}
