//! `login`, `verify`, `logout`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, ClientIp, Json};
use crate::state::AppState;
use natter_app::session_cookie::SessionCookie;
use natter_app::wire::{MessageOnly, UserWithToken};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/verify", post(verify)).route("/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
}

async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<LoginBody>,
) -> ApiResult<Json<MessageOnly>> {
    s.auth.request_code(&b.email, ip).await?;
    Ok(Json(MessageOnly { message: "A login code is on its way to that address." }))
}

#[derive(Deserialize)]
struct VerifyBody {
    email: String,
    otp: String,
}

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
