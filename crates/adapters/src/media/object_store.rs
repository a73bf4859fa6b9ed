//! Media through the `object_store` crate: one adapter for the embedded folder
//! (`<data dir>/media/<key>`, which `natter admin backup` archives as it is) and for an
//! S3-compatible bucket (`NATTER_MEDIA_URL=s3://bucket/prefix`). Keys are chosen by the
//! server (`<chat id>/<random>.<ext>`), and anything else is refused so a key can never
//! walk out of the root (or the prefix).
//!
//! On S3 every failure but "no such object" means the storage cannot be reached now,
//! and is reported as `MediaUnavailable` (503), within bounded time: a connect timeout,
//! a request timeout and a short retry budget, so an upload never hangs on a stopped
//! server. Whether the bucket answers is also checked in the background, for
//! `/readyz`, without a request per probe.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use ::object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use ::object_store::local::LocalFileSystem;
use ::object_store::path::Path;
use ::object_store::prefix::PrefixStore;
use ::object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use anyhow::{Context, bail};
use async_trait::async_trait;
use natter_domain::ports::{Media, MediaUnavailable};

/// How long to wait for a TCP connection to the S3 endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one S3 request may take in all: an image is at most a few MiB.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Retries stop once this much time has passed since the first try (object_store's
/// default of 3 minutes would hold an upload that long while S3 is down).
const RETRY_BUDGET: Duration = Duration::from_secs(4);
const MAX_RETRIES: usize = 2;
/// How often the background check asks the bucket whether it answers.
const PROBE_EVERY: Duration = Duration::from_secs(3);

pub struct ObjectMedia {
    store: Arc<dyn ObjectStore>,
    /// S3: failures are outages (`MediaUnavailable`) and `reachable` is tracked.
    remote: Option<Arc<Reachable>>,
}

/// The last thing learnt about the bucket: from a request or from the background check.
struct Reachable(AtomicBool);

impl ObjectMedia {
    /// One file per key under `root` (created if missing).
    pub fn folder(root: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .with_context(|| format!("cannot use {} for media", root.display()))?;
        Ok(Self { store: Arc::new(store), remote: None })
    }

    /// Objects under `prefix` (may be empty) in `bucket`, configured by `aws`: the
    /// `AWS_*` variables as `(name, value)`, the names `AmazonS3Builder::from_env` reads
    /// (`AWS_ENDPOINT`/`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, `AWS_ACCESS_KEY_ID`, ...),
    /// passed in so the caller decides where they come from. Needs a Tokio runtime: it
    /// starts the background check, which ends with this value.
    pub fn s3(bucket: &str, prefix: &str, aws: &[(String, String)]) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_client_options(
                ClientOptions::new().with_connect_timeout(CONNECT_TIMEOUT).with_timeout(REQUEST_TIMEOUT),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(1),
                    base: 2.0,
                },
                max_retries: MAX_RETRIES,
                retry_timeout: RETRY_BUDGET,
            });
        // As `from_env` does: names it does not know are someone else's (AWS_PROFILE
        // for the CLI, say). Applied after the defaults above so AWS_TIMEOUT wins.
        for (name, value) in aws {
            if let Ok(key) = name.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                builder = builder.with_config(key, value);
            }
        }
        let s3 = builder
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| anyhow::anyhow!("the S3 media storage cannot be set up: {e}"))?;
        let store: Arc<dyn ObjectStore> = match prefix.trim_matches('/') {
            "" => Arc::new(s3),
            prefix => Arc::new(PrefixStore::new(s3, prefix)),
        };
        let reachable = Arc::new(Reachable(AtomicBool::new(true)));
        tokio::spawn(watch(store.clone(), Arc::downgrade(&reachable)));
        Ok(Self { store, remote: Some(reachable) })
    }

    /// Whether the storage answered the last time it was asked; always `true` for a
    /// folder.
    pub fn reachable(&self) -> bool {
        self.remote.as_ref().is_none_or(|r| r.0.load(Ordering::Relaxed))
    }

    fn path(key: &str) -> anyhow::Result<Path> {
        let ok = !key.is_empty()
            && key.len() <= 200
            && key.split('/').all(|part| {
                !part.is_empty()
                    && !part.starts_with('.')
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            });
        if !ok {
            bail!("invalid media key {key:?}");
        }
        Path::parse(key).with_context(|| format!("invalid media key {key:?}"))
    }

    /// Records how a request went and turns a failure into the error to return.
    fn outcome<T>(&self, what: &str, result: ::object_store::Result<T>) -> anyhow::Result<T> {
        let failed = match result {
            Ok(v) => {
                self.saw(true);
                return Ok(v);
            }
            Err(e) => e,
        };
        match &self.remote {
            Some(_) => {
                self.saw(false);
                Err(MediaUnavailable(format!("{what}: {failed}")).into())
            }
            None => Err(anyhow::Error::new(failed).context(what.to_owned())),
        }
    }

    fn saw(&self, up: bool) {
        if let Some(r) = &self.remote {
            r.0.store(up, Ordering::Relaxed);
        }
    }
}

/// Lists a prefix that holds nothing every `PROBE_EVERY`: a cheap request that fails
/// when the endpoint, the bucket or the credentials do. Ends when the media is dropped.
async fn watch(store: Arc<dyn ObjectStore>, reachable: Weak<Reachable>) {
    let probe = Path::from("natter-readiness-probe");
    let mut every = tokio::time::interval(PROBE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let result = store.list_with_delimiter(Some(&probe)).await;
        let Some(reachable) = reachable.upgrade() else { return };
        if let Err(e) = &result {
            tracing::warn!(error = %e, "the S3 media storage does not answer");
        }
        reachable.0.store(result.is_ok(), Ordering::Relaxed);
    }
}

#[async_trait]
impl Media for ObjectMedia {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        let path = Self::path(key)?;
        // Both backends make an object visible whole or not at all: the folder writes
        // aside and renames, S3 commits a PUT at its end.
        let result = self.store.put(&path, PutPayload::from(bytes)).await;
        self.outcome(&format!("cannot store {key}"), result).map(|_| ())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let Ok(path) = Self::path(key) else { return Ok(None) };
        let read = async { self.store.get(&path).await?.bytes().await };
        match read.await {
            Err(::object_store::Error::NotFound { .. }) => {
                self.saw(true);
                Ok(None)
            }
            result => self.outcome(&format!("cannot read {key}"), result).map(|b| Some(b.to_vec())),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = Self::path(key)?;
        match self.store.delete(&path).await {
            // The folder says so for a missing file; S3 never does.
            Err(::object_store::Error::NotFound { .. }) => Ok(()),
            result => self.outcome(&format!("cannot delete {key}"), result),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("media");
        let m = ObjectMedia::folder(&root).unwrap();
        std::fs::write(dir.path().join("secret.key"), b"x").unwrap();
        for bad in
            ["../x", "a/../../x", "/etc/passwd", "", "a//b", ".hidden", "a/.b", "a\\b", "../secret.key"]
        {
            assert!(m.put(bad, vec![1]).await.is_err(), "{bad}");
            assert_eq!(m.get(bad).await.unwrap(), None, "{bad}");
            assert!(m.delete(bad).await.is_err(), "{bad}");
        }
        assert_eq!(std::fs::read(dir.path().join("secret.key")).unwrap(), b"x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "nothing written beside the root");
    }

    #[tokio::test]
    async fn a_folder_keeps_each_key_as_a_file_under_its_root() {
        let dir = tempfile::tempdir().unwrap();
        let m = ObjectMedia::folder(dir.path()).unwrap();
        assert_eq!(m.get("chat/abc.png").await.unwrap(), None);
        m.put("chat/abc.png", vec![1, 2]).await.unwrap();
        // The layout `natter admin backup` archives: `<root>/<key>`, nothing else.
        assert_eq!(std::fs::read(dir.path().join("chat/abc.png")).unwrap(), vec![1, 2]);
        assert_eq!(std::fs::read_dir(dir.path().join("chat")).unwrap().count(), 1);
        assert_eq!(m.get("chat/abc.png").await.unwrap(), Some(vec![1, 2]));
        m.delete("chat/abc.png").await.unwrap();
        m.delete("chat/abc.png").await.unwrap();
        assert_eq!(m.get("chat/abc.png").await.unwrap(), None);
        assert!(m.reachable());
    }

    #[tokio::test]
    async fn an_s3_endpoint_that_refuses_connections_is_unavailable_within_seconds() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let aws: Vec<(String, String)> = [
            ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_PROFILE", "not an object_store setting".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let m = ObjectMedia::s3("media", "natter/one", &aws).unwrap();
        let started = std::time::Instant::now();
        let err = m.put("chat/abc.png", vec![1]).await.unwrap_err();
        assert!(err.downcast_ref::<MediaUnavailable>().is_some(), "{err:#}");
        assert!(m.get("chat/abc.png").await.unwrap_err().downcast_ref::<MediaUnavailable>().is_some());
        assert!(started.elapsed() < Duration::from_secs(12), "took {:?}", started.elapsed());
        assert!(!m.reachable());
    }
}
