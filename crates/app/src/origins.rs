//! Which web origins may act with a user's cookie.

/// The origins a browser page may call us from: the public URL's, plus any listed in
/// `NATTER_ALLOWED_ORIGINS`.
#[derive(Debug, Clone)]
pub struct Origins {
    allowed: Vec<String>,
}

impl Origins {
    pub fn new(public_origin: &str, extra: &[String]) -> Self {
        let mut allowed: Vec<String> = std::iter::once(public_origin)
            .chain(extra.iter().map(String::as_str))
            .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
            .collect();
        allowed.dedup();
        Self { allowed }
    }

    /// `null` (sandboxed frames, `file:` pages, some redirects) is never allowed: any
    /// page can make its origin `null`, so allowing it would allow every page.
    pub fn allows(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        origin != "null" && self.allowed.contains(&origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_origin_and_the_listed_ones_are_allowed_and_null_never() {
        let o = Origins::new("https://chat.example.com", &["http://localhost:3000".into(), "null".into()]);
        assert!(o.allows("https://chat.example.com"));
        assert!(o.allows("http://localhost:3000"));
        assert!(!o.allows("http://localhost:3001"));
        assert!(!o.allows("https://chat.example.com.evil.example"));
        assert!(!o.allows("null"));
    }
}
