//! The development mailer: prints each mail on the terminal and keeps the latest ones
//! for the `/dev/mailbox` page. Nothing leaves the machine.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use natter_domain::entities::{Mail, SentMail};
use natter_domain::ports::{Clock, DevMailbox, Mailer};

/// How many mails the dev mailbox remembers.
const KEEP: usize = 200;

pub struct ConsoleMailer {
    clock: Arc<dyn Clock>,
    sent: Mutex<VecDeque<SentMail>>,
}

impl ConsoleMailer {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, sent: Mutex::new(VecDeque::with_capacity(KEEP)) }
    }
}

#[async_trait]
impl Mailer for ConsoleMailer {
    async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        // Printed, not logged: this terminal *is* the mailbox in development, and log
        // pipelines must never carry login codes.
        let text = format!(
            "\n──── mail to {} ────\nSubject: {}\n\n{}────────────────────\n",
            mail.to, mail.subject, mail.body
        );
        // `print!` rather than a raw stdout handle: the test harness captures it.
        print!("{text}");
        let mut sent = self.sent.lock().map_err(|_| anyhow::anyhow!("mailbox lock poisoned"))?;
        if sent.len() == KEEP {
            sent.pop_front();
        }
        sent.push_back(SentMail { mail: mail.clone(), sent_at: self.clock.now() });
        Ok(())
    }
}

impl DevMailbox for ConsoleMailer {
    /// Newest first.
    fn recent(&self) -> Vec<SentMail> {
        self.sent.lock().map(|s| s.iter().rev().cloned().collect()).unwrap_or_default()
    }
}
