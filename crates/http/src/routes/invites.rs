//! `invites`: members invite addresses to a closed install.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json};
use crate::state::AppState;
use natter_app::wire::{InviteAnswer, InviteDto, InvitesAnswer};

pub fn router() -> Router<AppState> {
    Router::new().route("/invites", post(create_invite).get(list_invites))
}

#[derive(Deserialize)]
struct InviteBody {
    email: String,
}

async fn create_invite(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<InviteBody>,
) -> ApiResult<(StatusCode, Json<InviteAnswer>)> {
    let (invite, created) = s.invites.invite(auth.ctx, &b.email).await?;
    let (status, message) = if created {
        (StatusCode::CREATED, "Invitation made: that address may join now.")
    } else {
        (StatusCode::OK, "That address was invited already.")
    };
    Ok((status, Json(InviteAnswer { message, invite: InviteDto::from(invite) })))
}

async fn list_invites(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<InvitesAnswer>> {
    let invites = s.invites.mine(auth.ctx).await?;
    Ok(Json(InvitesAnswer { invites: invites.into_iter().map(InviteDto::from).collect() }))
}
