//! `me`, `update/user`, `user/all`, `user/:id`.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use natter_app::AppError;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Query};
use crate::state::AppState;
use natter_app::wire::{UserDto, UserWithToken};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(get_me))
        .route("/update/user", post(update_user))
        .route("/user/all", get(list_users))
        .route("/user/{id}", get(get_user))
}

async fn get_me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<UserDto>> {
    Ok(Json(s.users.me(auth.ctx).await?.into()))
}

#[derive(Deserialize)]
struct UpdateUserBody {
    name: String,
}

async fn update_user(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<UpdateUserBody>,
) -> ApiResult<Json<UserWithToken>> {
    let user = s.users.rename(auth.ctx, &b.name).await?;
    Ok(Json(UserWithToken { message: "Profile updated", user: user.into(), token: auth.token }))
}

#[derive(Deserialize)]
struct ListUsersQuery {
    q: Option<String>,
    limit: Option<u32>,
}

async fn list_users(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query<ListUsersQuery>,
) -> ApiResult<Json<Vec<UserDto>>> {
    let users = s.users.search(auth.ctx, q.q.as_deref(), q.limit).await?;
    Ok(Json(users.into_iter().map(UserDto::from).collect()))
}

async fn get_user(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<UserDto>> {
    let id = id.parse().map_err(|_| AppError::not_found("user_not_found", "No such user."))?;
    Ok(Json(s.users.get(auth.ctx, id).await?.into()))
}
