//! The HttpOnly cookie that carries the session token for the web client.

/// Which name the cookie goes by, chosen once from the public URL.
///
/// On an https public URL it is `__Host-natter_session`: a browser accepts a cookie of
/// that name only if it is `Secure`, for `Path=/` and without a `Domain`, so neither a
/// sibling subdomain nor a plain-http page on the same host can plant or overwrite it.
/// Over plain http (a local install) browsers would drop such a cookie, so it keeps its
/// plain name there. Each server reads only the name it writes: a `natter_session`
/// cookie sent to an https server is one that server never set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookie {
    secure: bool,
}

const PLAIN: &str = "natter_session";
const HOST_ONLY: &str = "__Host-natter_session";

impl SessionCookie {
    pub fn for_public_url(url_is_https: bool) -> Self {
        Self { secure: url_is_https }
    }

    pub fn name(self) -> &'static str {
        if self.secure { HOST_ONLY } else { PLAIN }
    }

    /// Mark it `Secure` (only sent over https).
    pub fn secure(self) -> bool {
        self.secure
    }

    /// The session token among `Cookie` header values, if there is one.
    pub fn token_from<'a>(self, headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let name = self.name();
        headers
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.trim_matches('"').to_owned())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_uses_the_host_only_name_and_reads_only_that_name() {
        let https = SessionCookie::for_public_url(true);
        assert_eq!(https.name(), "__Host-natter_session");
        assert_eq!(https.token_from(["natter_session=planted"]), None);
        assert_eq!(https.token_from(["a=1; __Host-natter_session=tok"]), Some("tok".into()));
        let http = SessionCookie::for_public_url(false);
        assert_eq!(http.name(), "natter_session");
        assert_eq!(http.token_from(["natter_session=\"tok\"", "b=2"]), Some("tok".into()));
        assert_eq!(http.token_from(["__Host-natter_session=tok"]), None);
        assert_eq!(http.token_from(["natter_session="]), None);
    }
}
