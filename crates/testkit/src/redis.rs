//! A real Redis server for tests (Debian's redis-server), on a port of its own, that a
//! test can stop and start again on the same port to see what natter does meanwhile.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::smtp::free_port;

pub struct TestRedis {
    pub port: u16,
    child: Option<Child>,
}

impl TestRedis {
    /// Start redis-server on a free port; fails the test with a sentence if it is not
    /// installed.
    pub async fn start() -> Self {
        let mut redis = Self { port: free_port(), child: None };
        redis.start_again().await;
        redis
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kill the server (as a crash would: no goodbye to its clients).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freeze the server (SIGSTOP): connections stay open, nothing is answered, as a
    /// Redis stuck on a slow disk or a long command would.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Let a paused server answer again (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, which: &str) {
        let child = self.child.as_ref().expect("Redis is running");
        let ok =
            Command::new("kill").args([which, &child.id().to_string()]).status().is_ok_and(|s| s.success());
        assert!(ok, "kill {which} redis-server");
    }

    /// Start it again on the same port, empty (nothing is saved).
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "Redis is running already");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is needed for the Redis tests: `apt-get install redis-server` (scripts/test does)");
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not start on port {}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
