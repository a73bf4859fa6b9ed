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

    pub fn allows(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        self.allowed.contains(&origin)
    }
}
