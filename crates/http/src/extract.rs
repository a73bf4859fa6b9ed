//! Extractors that fail with the JSON error shape instead of axum's plain text.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use natter_app::auth::AuthContext;
use natter_app::client_ip::ClientAddr;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, json_error};
use crate::state::AppState;

/// `axum::Json`, answering bad bodies with `400 invalid_body` (or 413/415).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            )),
            Err(JsonRejection::BytesRejection(r)) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "The request body is too large."))
            }
            Err(JsonRejection::JsonDataError(e)) => Err(json_error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                &format!("The request body is not valid: {}", data_error_detail(&e.body_text())),
            )),
            Err(_) => Err(json_error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "The request body is not valid JSON.",
            )),
        }
    }
}

/// An integer field of a JSON body, as JSON Schema reads one: `5`, and also `5.0` or
/// `5e0` (a number whose fraction is zero), which serde's `i64` refuses. Use with
/// `#[serde(deserialize_with = "integer")]`.
pub fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct Integer;
    impl serde::de::Visitor<'_> for Integer {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // Only where an f64 holds every integer exactly (|v| <= 2^53): beyond, the
            // number read may not be the number written. An integer spelled without a
            // fraction arrives in `visit_i64`; one out of `i64`'s range arrives here, as
            // a float of 2^63 or more, and is refused.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if v.fract() == 0.0 && v.abs() <= EXACT {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_any(Integer)
}

/// serde's description of what was wrong ("email: invalid type: integer `5`, expected
/// a string"), without axum's preamble.
fn data_error_detail(text: &str) -> String {
    let detail = text.split_once("target type: ").map_or(text, |(_, d)| d);
    detail.chars().take(200).collect()
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, answering bad query strings with `400 invalid_query`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(json_error(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                &format!("The query string is not valid: {}", data_error_detail(&e.body_text())),
            )),
            Err(_) => {
                Err(json_error(StatusCode::BAD_REQUEST, "invalid_query", "The query string is not valid."))
            }
        }
    }
}

/// `axum::extract::Path`, answering a path it cannot decode (a segment that is not
/// UTF-8, say) with the 404 of anything that does not exist: no id or key is spelled
/// that way.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(_) => Err(json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here.")),
        }
    }
}

/// The client's address: the one `edge` resolved (the peer, or behind a trusted proxy
/// the address it forwarded), else the peer.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let resolved = parts.extensions.get::<ClientAddr>().map(|ClientAddr(ip)| *ip);
        let peer = || parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(resolved.or_else(peer).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// The caller's session, from `Authorization: Bearer` or the session cookie. A cookie
/// on an unsafe method must come with an allowed `Origin` (the cookie is sent by the
/// browser on its own; the header proves the page that sent it is ours).
pub struct Auth {
    pub ctx: AuthContext,
    pub token: String,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = match bearer_token(parts) {
            Some(t) => t.to_owned(),
            None => {
                let Some(t) = session_cookie(state, &parts.headers) else {
                    return Err(ApiError(natter_app::AppError::Unauthenticated).into_response());
                };
                if !is_safe(&parts.method) {
                    let origin = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
                    if !origin.is_some_and(|o| state.origins.allows(o)) {
                        return Err(json_error(
                            StatusCode::FORBIDDEN,
                            "origin_not_allowed",
                            "This request must come from the natter web client.",
                        ));
                    }
                }
                t
            }
        };
        let ctx = state.auth.authenticate(&token).await.map_err(|e| ApiError(e).into_response())?;
        Ok(Self { ctx, token })
    }
}

pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

fn session_cookie(state: &AppState, headers: &axum::http::HeaderMap) -> Option<String> {
    state.session_cookie.token_from(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
}
