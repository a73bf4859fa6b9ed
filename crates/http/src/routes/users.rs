//! `me`, `update/user`, `user/all`, `user/:id`, blocking (`user/:id/block`, `me/blocks`).

use axum::extract::State;
use axum::http::StatusCode;
use natter_app::AppError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Path, Query};
use crate::state::AppState;
use natter_app::wire::{BlockedUserDto, BlocksAnswer, ErrorDto, UserDto, UserWithToken};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me))
        .routes(routes!(update_user))
        .routes(routes!(list_users))
        .routes(routes!(get_user))
        .routes(routes!(block_user, unblock_user))
        .routes(routes!(list_blocks))
}

/// Your own profile, read from the store (not from the token).
#[utoipa::path(
    get,
    path = "/me",
    tag = "users",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = UserDto)),
)]
async fn get_me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<UserDto>> {
    Ok(Json(s.users.me(auth.ctx).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = UpdateUserRequest)]
struct UpdateUserBody {
    /// 1-50 characters once trimmed, one of them visible; no control characters or
    /// bidirectional overrides (`DisplayName::parse`, as a pattern: any allowed
    /// character, then one that is also not whitespace or invisible, then any allowed).
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\x00-\x20\x7f-\xa0\u115f\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u2066-\u2069\u3000\u3164\ufeff][^\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    name: String,
}

/// Rename yourself. The answer carries the same token, as the seed's did.
#[utoipa::path(
    post,
    path = "/update/user",
    tag = "users",
    request_body = UpdateUserBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = UserWithToken),
        (status = 400, description = "`invalid_name`: empty, or longer than 50 characters once trimmed.", body = ErrorDto),
    ),
)]
async fn update_user(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<UpdateUserBody>,
) -> ApiResult<Json<UserWithToken>> {
    let user = s.users.rename(auth.ctx, &b.name).await?;
    Ok(Json(UserWithToken { message: "Profile updated", user: user.into(), token: auth.token }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListUsersQuery {
    /// Part of a name (or a whole address); at most 100 characters once trimmed.
    #[param(max_length = 100)]
    q: Option<String>,
    /// How many (default 20); values outside 1-100 count as the nearest of them.
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    limit: Option<u32>,
}

/// The user directory, by name. Addresses show only where you may see them
/// (yourself, people you share a chat with, an address you typed whole); elsewhere
/// `email` is `""`.
#[utoipa::path(
    get,
    path = "/user/all",
    tag = "users",
    params(ListUsersQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<UserDto>)),
)]
async fn list_users(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query<ListUsersQuery>,
) -> ApiResult<Json<Vec<UserDto>>> {
    let users = s.users.search(auth.ctx, q.q.as_deref(), q.limit).await?;
    Ok(Json(users.into_iter().map(UserDto::from).collect()))
}

/// One user's profile.
#[utoipa::path(
    get,
    path = "/user/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = UserDto),
        (status = 404, description = "`user_not_found`.", body = ErrorDto),
    ),
)]
async fn get_user(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<UserDto>> {
    let id = id.parse().map_err(|_| AppError::not_found("user_not_found", "No such user."))?;
    Ok(Json(s.users.get(auth.ctx, id).await?.into()))
}

/// Block a user: in your 1:1 chat neither of you can send (`blocked` /
/// `you_blocked_user`), they cannot start a chat with you, and neither sees the
/// other's presence, last seen or typing. Group chats are not affected. Blocking
/// again changes nothing.
#[utoipa::path(
    post,
    path = "/user/{id}/block",
    tag = "users",
    params(("id" = String, Path, description = "The user's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Blocked (or already)."),
        (status = 400, description = "`cannot_block_yourself`.", body = ErrorDto),
        (status = 404, description = "`user_not_found`.", body = ErrorDto),
    ),
)]
async fn block_user(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.blocks.block(auth.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take back your block of a user. Unblocking someone you did not block changes nothing.
#[utoipa::path(
    delete,
    path = "/user/{id}/block",
    tag = "users",
    params(("id" = String, Path, description = "The user's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Not blocked (any more)."),
        (status = 404, description = "`user_not_found`.", body = ErrorDto),
    ),
)]
async fn unblock_user(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.blocks.unblock(auth.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The users you blocked, the latest first (only ever your own).
#[utoipa::path(
    get,
    path = "/me/blocks",
    tag = "users",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = BlocksAnswer)),
)]
async fn list_blocks(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<BlocksAnswer>> {
    let blocks = s.blocks.list(auth.ctx).await?;
    Ok(Json(BlocksAnswer { blocks: blocks.into_iter().map(BlockedUserDto::from).collect() }))
}
