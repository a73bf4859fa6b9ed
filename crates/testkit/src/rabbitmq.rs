//! A real RabbitMQ for tests (Debian's rabbitmq-server), private to one test: its own
//! node name, ports (AMQP, distribution, epmd) and data directory, so tests in parallel
//! and a broker the machine may run do not meet. A test can stop it (killed, as a
//! crash: no goodbye to its clients) and start it again on the same port and data, so
//! what was persisted survives, as on a real restart.
//!
//! RabbitMQ takes several seconds to start (about 9 s here on a warm machine, 13 s on
//! its first start): the AMQP port opens seconds after the node answers a ping, so
//! readiness is the port.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lapin::options::{BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

use crate::smtp::free_port;

/// How long the broker may take to open its AMQP port.
const START_TIMEOUT: Duration = Duration::from_secs(90);

pub struct TestRabbit {
    pub port: u16,
    dist_port: u16,
    epmd_port: u16,
    dir: tempfile::TempDir,
    /// epmd and the broker, in one process group of their own.
    group: Option<(Child, Child)>,
}

impl TestRabbit {
    /// Start a broker on free ports; fails the test with a sentence if it is not
    /// installed.
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("natter-rabbit").tempdir().unwrap();
        for sub in ["mnesia", "log"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        // The broker runs as `rabbitmq` (Debian's user): its folders must be its own.
        let owned = Command::new("chown").arg("-R").arg("rabbitmq:rabbitmq").arg(dir.path()).status();
        assert!(
            owned.is_ok_and(|s| s.success()),
            "cannot give {} to the rabbitmq user: the RabbitMQ tests need `apt-get install rabbitmq-server` \
             (scripts/test does) and to run as root",
            dir.path().display()
        );
        let mut rabbit =
            Self { port: free_port(), dist_port: free_port(), epmd_port: free_port(), dir, group: None };
        rabbit.start_again().await;
        rabbit
    }

    /// `amqp://127.0.0.1:<port>/%2f` (the default user, which may log in from loopback).
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    /// Kill the broker and its epmd at once, and wait until its port is closed.
    pub fn stop(&mut self) {
        let Some((mut epmd, mut server)) = self.group.take() else { return };
        // The group is epmd's pid; the Erlang VM and its helpers are in it.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", epmd.id())]).status();
        let _ = server.wait();
        let _ = epmd.wait();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start it again on the same ports and data: durable queues and persistent
    /// messages are still there.
    pub async fn start_again(&mut self) {
        assert!(self.group.is_none(), "RabbitMQ is running already");
        let (uid, gid) = (id("-u"), id("-g"));
        let epmd = Command::new("epmd")
            .args(["-port", &self.epmd_port.to_string()])
            .uid(uid)
            .gid(gid)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "epmd (from erlang-base) is needed for the RabbitMQ tests: `apt-get install rabbitmq-server`",
            );
        let base = self.dir.path();
        let server = Command::new("/usr/lib/rabbitmq/bin/rabbitmq-server")
            .current_dir(base)
            .env("HOME", base)
            .env("RABBITMQ_NODENAME", format!("natter-test-{}@localhost", self.port))
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", self.port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", base.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", base.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", base.join("enabled_plugins"))
            .uid(uid)
            .gid(gid)
            .process_group(i32::try_from(epmd.id()).unwrap())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rabbitmq-server is needed for the RabbitMQ tests: `apt-get install rabbitmq-server` (scripts/test does)");
        self.group = Some((epmd, server));
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "rabbitmq-server did not open port {} within {START_TIMEOUT:?}; its log is in {}",
                self.port,
                self.log_dir().display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// A channel of a new connection, as another client of the broker.
    pub async fn channel(&self) -> (Connection, Channel) {
        let properties = ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio::current());
        let conn = Connection::connect(&self.url(), properties).await.unwrap();
        let channel = conn.create_channel().await.unwrap();
        (conn, channel)
    }

    /// How many messages wait in `queue` (a passive declare); `None` if there is no
    /// such queue.
    pub async fn queue_len(&self, queue: &str) -> Option<u32> {
        let (conn, channel) = self.channel().await;
        let options = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let len = channel
            .queue_declare(queue, options, FieldTable::default())
            .await
            .ok()
            .map(|q| q.message_count());
        let _ = conn.close(200, "done").await;
        len
    }

    /// Take the next message of `queue` (acknowledged), as a consumer would.
    pub async fn take(&self, queue: &str) -> Option<(BasicProperties, Vec<u8>)> {
        let (conn, channel) = self.channel().await;
        let got = channel.basic_get(queue, BasicGetOptions { no_ack: true }).await.unwrap();
        let _ = conn.close(200, "done").await;
        got.map(|m| (m.delivery.properties, m.delivery.data))
    }

    /// Publish a message to `queue` through the default exchange, confirmed.
    pub async fn publish(&self, queue: &str, properties: BasicProperties, body: &[u8]) {
        let (conn, channel) = self.channel().await;
        channel.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
        let confirm =
            channel.basic_publish("", queue, BasicPublishOptions::default(), body, properties).await.unwrap();
        assert!(confirm.await.unwrap().is_ack(), "the broker took the message");
        let _ = conn.close(200, "done").await;
    }
}

/// The rabbitmq user's uid or gid.
fn id(flag: &str) -> u32 {
    let out = Command::new("id").args([flag, "rabbitmq"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or_else(|_| {
        panic!("there is no rabbitmq user: the RabbitMQ tests need `apt-get install rabbitmq-server`")
    })
}

impl Drop for TestRabbit {
    fn drop(&mut self) {
        self.stop();
    }
}
