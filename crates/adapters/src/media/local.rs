//! Media on the local disk, one file per key under a root directory. Keys are chosen
//! by the server (`<chat id>/<random>.<ext>`), and anything else is refused so a key
//! can never walk out of the root.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use async_trait::async_trait;
use natter_domain::ports::Media;

pub struct LocalMedia {
    root: PathBuf,
}

impl LocalMedia {
    pub fn new(root: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Self { root })
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
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
        Ok(self.root.join(Path::new(key)))
    }
}

#[async_trait]
impl Media for LocalMedia {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Write aside, then rename: a reader never sees half a file.
        let tmp = path.with_extension("partial");
        tokio::fs::write(&tmp, bytes).await.with_context(|| format!("cannot write {}", tmp.display()))?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let Ok(path) = self.path(key) else { return Ok(None) };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = std::env::temp_dir().join(format!("natter-media-{}", std::process::id()));
        let m = LocalMedia::new(&dir).unwrap();
        for bad in ["../x", "a/../../x", "/etc/passwd", "", "a//b", ".hidden", "a/.b", "a\\b"] {
            assert!(m.put(bad, vec![1]).await.is_err(), "{bad}");
            assert_eq!(m.get(bad).await.unwrap(), None);
        }
        m.put("chat/abc.png", vec![1, 2]).await.unwrap();
        assert_eq!(m.get("chat/abc.png").await.unwrap(), Some(vec![1, 2]));
        m.delete("chat/abc.png").await.unwrap();
        assert_eq!(m.get("chat/abc.png").await.unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
