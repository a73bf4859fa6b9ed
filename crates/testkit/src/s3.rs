//! A real S3-compatible server for tests, and which media backend the API suite runs on.
//!
//! The server is moto's server mode (PyPI `moto[server]`, run as `python3 -m
//! moto.server`): it installs with pip in seconds, where `s3s-fs` (crates.io) must be
//! compiled on two shared cores and calls itself experimental. moto implements S3's
//! REST protocol (SigV4 is accepted, path-style buckets, ListObjectsV2) and keeps
//! everything in memory, so a server stopped and started again is empty.
//!
//! The API suite keeps media in a folder by default, and on S3 with
//! `NATTER_TEST_MEDIA=s3`: every test server then uses a prefix of its own in one bucket
//! of one moto server per test binary, started on first use. `scripts/test` runs the
//! media tests both ways.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::smtp::free_port;

/// `s3` to keep the test servers' media on S3; unset (or `folder`): in their data
/// directory.
pub const MEDIA_VAR: &str = "NATTER_TEST_MEDIA";
/// The bucket every `TestS3` has.
pub const BUCKET: &str = "natter-test";

/// Where the test servers of this run keep their media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaBackend {
    Folder,
    S3,
}

impl MediaBackend {
    /// As `NATTER_TEST_MEDIA` says; anything but `folder` or `s3` fails the test rather
    /// than quietly running on the folder.
    pub fn current() -> Self {
        match std::env::var(MEDIA_VAR).as_deref().map(str::trim) {
            Err(_) | Ok("" | "folder") => MediaBackend::Folder,
            Ok("s3") => MediaBackend::S3,
            Ok(other) => panic!("{MEDIA_VAR} must be folder or s3, not {other:?}"),
        }
    }
}

/// The moto server the test servers of this binary share on the S3 run; it exits with
/// the test binary (see `spawn`).
pub fn shared() -> &'static TestS3 {
    static SHARED: OnceLock<TestS3> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut s3 = TestS3 { port: free_port(), server: None };
        s3.launch();
        let deadline = Instant::now() + STARTUP;
        while !s3.answers() {
            s3.check_startup(deadline);
            std::thread::sleep(Duration::from_millis(50));
        }
        s3.create_bucket();
        s3
    })
}

/// moto imports a lot of Python before it listens.
const STARTUP: Duration = Duration::from_secs(30);

pub struct TestS3 {
    pub port: u16,
    /// The process, and the pipe whose closing makes it exit.
    server: Option<(Child, ChildStdin)>,
}

impl TestS3 {
    /// Start moto on a free port with an empty `BUCKET`; fails the test with a sentence
    /// if moto is not installed.
    pub async fn start() -> Self {
        let mut s3 = Self { port: free_port(), server: None };
        s3.start_again().await;
        s3
    }

    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `AWS_*` variables that point natter at this server (moto takes any keys).
    pub fn aws_vars(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "natter-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "natter-test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Kill the server, as a crash would; what it held is gone.
    pub fn stop(&mut self) {
        if let Some((mut child, stdin)) = self.server.take() {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again on the same port, with `BUCKET` empty.
    pub async fn start_again(&mut self) {
        self.launch();
        let deadline = Instant::now() + STARTUP;
        while !self.answers() {
            self.check_startup(deadline);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.create_bucket();
    }

    /// The keys stored under `prefix/` in `BUCKET`.
    pub fn keys(&self, prefix: &str) -> Vec<String> {
        keys(self.port, prefix)
    }

    fn launch(&mut self) {
        assert!(self.server.is_none(), "the S3 server is running already");
        // moto exits when its standard input closes, that is with this process, even one
        // that never drops `shared()`'s server or that dies of a failed test.
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import os, sys, threading\n\
                 threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n\
                 from moto.server import main\n\
                 main(sys.argv[1:])",
                "-H",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed to run the S3 server for the media tests");
        let Some(stdin) = child.stdin.take() else { unreachable!("stdin is piped") };
        self.server = Some((child, stdin));
    }

    fn check_startup(&mut self, deadline: Instant) {
        let exited = self.server.as_mut().and_then(|(child, _)| child.try_wait().ok().flatten());
        assert!(
            exited.is_none(),
            "the S3 server exited at start ({exited:?}): is moto installed? `python3 -m pip install 'moto[server]'` (scripts/test does)"
        );
        assert!(
            Instant::now() < deadline,
            "the S3 server did not answer on port {} within {STARTUP:?}",
            self.port
        );
    }

    fn answers(&self) -> bool {
        request(self.port, "GET", "/").is_ok()
    }

    /// moto accepts unsigned requests: a plain PUT makes the bucket.
    fn create_bucket(&self) {
        let created = request(self.port, "PUT", &format!("/{BUCKET}"));
        assert!(matches!(created, Ok((200, _))), "cannot create the test bucket: {created:?}");
    }
}

/// The keys stored under `prefix/` in `BUCKET` of the server on `port`, as
/// ListObjectsV2 names them.
pub fn keys(port: u16, prefix: &str) -> Vec<String> {
    let (status, body) = request(port, "GET", &format!("/{BUCKET}?list-type=2&prefix={prefix}/"))
        .unwrap_or_else(|e| panic!("cannot list the test bucket on port {port}: {e}"));
    assert_eq!(status, 200, "listing the test bucket: {body}");
    assert!(!body.contains("<IsTruncated>true"), "more keys than one listing holds: {body}");
    body.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>"))
        .map(|(k, _)| k.to_owned())
        .collect()
}

/// One unsigned HTTP/1.0 request (so the answer is neither chunked nor kept alive):
/// its status and body.
fn request(port: u16, method: &str, target: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok());
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    status.map(|s| (s, body)).ok_or_else(|| std::io::Error::other(format!("not HTTP: {answer:?}")))
}

impl Drop for TestS3 {
    fn drop(&mut self) {
        self.stop();
    }
}
