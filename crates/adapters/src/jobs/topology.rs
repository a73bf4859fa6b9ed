//! The mail queues on the broker and what a job's message looks like there.
//!
//! - `natter.mail`: the work queue the mail role consumes.
//! - `natter.mail.retry.<ms>ms`: one delay queue per retry delay, no consumers; each
//!   message waits the queue's TTL and is dead-lettered back to `natter.mail`. One
//!   queue per delay, not one queue with a TTL per message: RabbitMQ expires only the
//!   message at a queue's head, so a long delay would hold up the short ones behind it.
//! - `natter.mail.dead`: jobs given up on, for an operator to look at.
//!
//! All durable, messages persistent. A message is the job's sealed payload (sealed with
//! the server secret, as in the outbox: the broker cannot read a code or an address),
//! its id as `message_id`, its kind as `type`, and the tries so far in a header.

use std::time::Duration;

use lapin::options::QueueDeclareOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel};
use natter_domain::ids::JobId;

pub const WORK_QUEUE: &str = "natter.mail";
pub const DEAD_QUEUE: &str = "natter.mail.dead";
/// How many deliveries were tried before this message.
pub const ATTEMPTS_HEADER: &str = "x-natter-attempts";
/// AMQP's delivery mode for a message written to disk.
const PERSISTENT: u8 = 2;

/// The delay queue for `delay` (rounded to the millisecond).
pub fn retry_queue(delay: Duration) -> String {
    format!("natter.mail.retry.{}ms", delay.as_millis())
}

/// Declare the work and dead-letter queues; idempotent, so every node does it on
/// every connect.
pub async fn declare(channel: &Channel) -> lapin::Result<()> {
    declare_queue(channel, WORK_QUEUE, FieldTable::default()).await?;
    declare_queue(channel, DEAD_QUEUE, FieldTable::default()).await
}

/// The arguments of the delay queue for `delay`: its TTL, then back to work.
pub fn retry_arguments(delay: Duration) -> FieldTable {
    let mut args = FieldTable::default();
    let ttl = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ttl));
    args.insert("x-dead-letter-exchange".into(), AMQPValue::LongString("".into()));
    args.insert("x-dead-letter-routing-key".into(), AMQPValue::LongString(WORK_QUEUE.into()));
    args
}

pub(crate) async fn declare_queue(
    channel: &Channel,
    queue: &str,
    arguments: FieldTable,
) -> lapin::Result<()> {
    let options = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    channel.queue_declare(queue, options, arguments).await.map(drop)
}

/// A job as its message says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobMessage {
    pub id: JobId,
    pub kind: String,
    pub attempts: u32,
}

impl JobMessage {
    /// The properties of this job's message (its body is the sealed payload).
    pub fn properties(&self) -> BasicProperties {
        let mut headers = FieldTable::default();
        headers.insert(ATTEMPTS_HEADER.into(), AMQPValue::LongLongInt(i64::from(self.attempts)));
        BasicProperties::default()
            .with_delivery_mode(PERSISTENT)
            .with_message_id(self.id.to_string().into())
            .with_type(self.kind.as_str().into())
            .with_content_type("application/octet-stream".into())
            .with_headers(headers)
    }

    /// What a delivery's properties say, if they are a job's (a message without a
    /// job id is not one of natter's).
    pub fn read(properties: &BasicProperties) -> Option<Self> {
        let id = properties.message_id().as_ref().and_then(|id| id.as_str().parse::<JobId>().ok())?;
        let kind = properties.kind().as_ref().map(ShortString::to_string)?;
        let attempts = properties
            .headers()
            .as_ref()
            .and_then(|h| h.inner().get(ATTEMPTS_HEADER))
            .and_then(integer)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        Some(Self { id, kind, attempts })
    }
}

/// A header's integer, whichever width the broker or a client gave it.
fn integer(value: &AMQPValue) -> Option<i64> {
    match *value {
        AMQPValue::ShortShortInt(n) => Some(n.into()),
        AMQPValue::ShortShortUInt(n) => Some(n.into()),
        AMQPValue::ShortInt(n) => Some(n.into()),
        AMQPValue::ShortUInt(n) => Some(n.into()),
        AMQPValue::LongInt(n) => Some(n.into()),
        AMQPValue::LongUInt(n) => Some(n.into()),
        AMQPValue::LongLongInt(n) => Some(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_message_reads_back_as_written_and_is_persistent() {
        let job = JobMessage { id: JobId::new(), kind: "send_mail".into(), attempts: 3 };
        let props = job.properties();
        assert_eq!(*props.delivery_mode(), Some(2));
        assert_eq!(JobMessage::read(&props), Some(job));
    }

    #[test]
    fn a_message_without_a_job_id_is_not_a_job() {
        assert_eq!(JobMessage::read(&BasicProperties::default().with_type("send_mail".into())), None);
        let no_header = BasicProperties::default()
            .with_message_id(JobId::new().to_string().into())
            .with_type("send_mail".into());
        assert_eq!(JobMessage::read(&no_header).map(|m| m.attempts), Some(0), "no header: no tries yet");
    }

    #[test]
    fn each_delay_has_its_own_queue_that_returns_to_work() {
        assert_eq!(retry_queue(Duration::from_secs(2)), "natter.mail.retry.2000ms");
        let args = retry_arguments(Duration::from_millis(250));
        assert_eq!(args.inner().get("x-message-ttl"), Some(&AMQPValue::LongLongInt(250)));
        assert_eq!(
            args.inner().get("x-dead-letter-routing-key"),
            Some(&AMQPValue::LongString(WORK_QUEUE.into()))
        );
    }
}
