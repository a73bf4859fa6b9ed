//! Web Push (`push/key`, `push/subscriptions`) and muting a chat (`chat/:id/mute`).

use axum::extract::State;
use axum::http::StatusCode;
use natter_app::push::SubscriptionInput;
use natter_app::wire::{
    ErrorDto, PushKeyDto, PushSubscriptionAnswer, PushSubscriptionRequest, PushUnsubscribeRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Path};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push_key))
        .routes(routes!(subscribe, unsubscribe))
        .routes(routes!(mute_chat, unmute_chat))
}

/// The key a browser subscribes with (`pushManager.subscribe({ applicationServerKey })`).
#[utoipa::path(
    get,
    path = "/push/key",
    tag = "notifications",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = PushKeyDto)),
)]
async fn push_key(State(s): State<AppState>, _auth: Auth) -> Json<PushKeyDto> {
    Json(PushKeyDto { public_key: s.push.public_key() })
}

/// Register this device for push: a message in a chat you have not muted is pushed to
/// it when none of your tabs is viewing that chat. One per device, replaced by
/// endpoint; the endpoint must be `https` on a public host (or an origin the operator
/// allows, `NATTER_PUSH_ALLOW`).
#[utoipa::path(
    post,
    path = "/push/subscriptions",
    tag = "notifications",
    request_body = PushSubscriptionRequest,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, body = PushSubscriptionAnswer),
        (status = 400, description = "`invalid_push_endpoint`: not https to a public host; `invalid_push_keys`: `keys.p256dh` is not a P-256 public key or `keys.auth` not 16 bytes.", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto),
    ),
)]
async fn subscribe(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<PushSubscriptionRequest>,
) -> ApiResult<(StatusCode, Json<PushSubscriptionAnswer>)> {
    let endpoint = b.endpoint.clone();
    let input = SubscriptionInput { endpoint: b.endpoint, p256dh: b.keys.p256dh, auth: b.keys.auth };
    s.push.subscribe(auth.ctx, input).await?;
    Ok((StatusCode::CREATED, Json(PushSubscriptionAnswer { endpoint })))
}

/// Stop pushing to this device. An endpoint that is not yours changes nothing.
#[utoipa::path(
    delete,
    path = "/push/subscriptions",
    tag = "notifications",
    request_body = PushUnsubscribeRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Not registered (any more)."), (status = 429, description = "`rate_limited`.", body = ErrorDto)),
)]
async fn unsubscribe(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<PushUnsubscribeRequest>,
) -> ApiResult<StatusCode> {
    s.push.unsubscribe(auth.ctx, &b.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mute a chat: no sound, push or mail for it; its unread messages still count. Your
/// other tabs hear `chatMuted`.
#[utoipa::path(
    put,
    path = "/chat/{id}/mute",
    tag = "chats",
    params(("id" = String, Path, description = "The chat's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Muted (or already)."),
        (status = 403, description = "`not_a_member`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn mute_chat(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.chats.set_muted(auth.ctx, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unmute a chat.
#[utoipa::path(
    delete,
    path = "/chat/{id}/mute",
    tag = "chats",
    params(("id" = String, Path, description = "The chat's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Not muted (any more)."),
        (status = 403, description = "`not_a_member`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn unmute_chat(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.chats.set_muted(auth.ctx, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
