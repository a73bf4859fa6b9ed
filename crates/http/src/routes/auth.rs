//! `login`, `verify`, `logout`.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, ClientIp, Json};
use crate::state::AppState;
use natter_app::session_cookie::SessionCookie;
use natter_app::wire::{ErrorDto, MessageOnly, UserWithToken};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(verify)).routes(routes!(logout))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = LoginRequest)]
struct LoginBody {
    /// Trimmed and lower-cased before anything else.
    #[schema(format = Email, max_length = 254)]
    email: String,
}

/// Mail a one-time code to an address. The same answer for known and unknown
/// addresses; the mail is durably queued before it.
#[utoipa::path(
    post,
    path = "/login",
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, body = MessageOnly),
        (status = 400, description = "`invalid_email`: not an email address.", body = ErrorDto),
        (status = 429, description = "`rate_limited`: too many codes for this address or from this network.",
            body = ErrorDto, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<LoginBody>,
) -> ApiResult<Json<MessageOnly>> {
    s.auth.request_code(&b.email, ip).await?;
    Ok(Json(MessageOnly { message: "A login code is on its way to that address." }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = VerifyRequest)]
struct VerifyBody {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// The 6-digit code of the mail.
    #[schema(pattern = "^[0-9]{6}$")]
    otp: String,
}

/// Trade a code for a session: the token, and the same token as the HttpOnly session
/// cookie. The first verify of an address creates its user.
#[utoipa::path(
    post,
    path = "/verify",
    tag = "auth",
    request_body = VerifyBody,
    responses(
        (status = 200, body = UserWithToken,
            headers(("Set-Cookie" = String, description = "The session cookie."))),
        (status = 400, description = "`invalid_otp`: a wrong, expired or used code (one answer for all three), \
            or an address that may not join; `invalid_email`.", body = ErrorDto),
        (status = 429, description = "`too_many_attempts` after 5 wrong codes; `rate_limited` from this network.",
            body = ErrorDto, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
async fn verify(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<VerifyBody>,
) -> ApiResult<Response> {
    let logged_in = s.auth.verify(&b.email, &b.otp, ip).await?;
    let max_age =
        cookie::time::Duration::seconds(i64::try_from(s.auth.session_ttl().as_secs()).unwrap_or(i64::MAX));
    let cookie = session_cookie(s.session_cookie, logged_in.token.clone(), max_age);
    let body =
        UserWithToken { message: "Login successful", user: logged_in.user.into(), token: logged_in.token };
    Ok(with_cookie(Json(body).into_response(), &cookie))
}

/// End this session: its token and cookie stop working at once, its sockets close.
#[utoipa::path(
    post,
    path = "/logout",
    tag = "auth",
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Logged out; the cookie is cleared.",
        headers(("Set-Cookie" = String, description = "Clears the session cookie.")))),
)]
async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    s.auth.logout(auth.ctx).await?;
    let cookie = session_cookie(s.session_cookie, String::new(), cookie::time::Duration::ZERO);
    Ok(with_cookie(StatusCode::NO_CONTENT.into_response(), &cookie))
}

/// `Path=/` and no `Domain`, as the `__Host-` name (https) requires.
fn session_cookie(kind: SessionCookie, value: String, max_age: cookie::time::Duration) -> Cookie<'static> {
    Cookie::build((kind.name(), value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(kind.secure())
        .max_age(max_age)
        .build()
}

fn with_cookie(mut res: Response, cookie: &Cookie<'_>) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
