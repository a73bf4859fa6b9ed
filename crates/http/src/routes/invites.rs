//! `invites`: members invite addresses to a closed install.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json};
use crate::state::AppState;
use natter_app::wire::{ErrorDto, InviteAnswer, InviteDto, InvitesAnswer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_invite, list_invites))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = InviteRequest)]
struct InviteBody {
    #[schema(format = Email, max_length = 254)]
    email: String,
}

/// Let an address join a closed install.
#[utoipa::path(
    post,
    path = "/invites",
    tag = "invites",
    request_body = InviteBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "A new invitation.", body = InviteAnswer),
        (status = 200, description = "That address was invited already; nothing changed.", body = InviteAnswer),
        (status = 400, description = "`invalid_email`.", body = ErrorDto),
        (status = 429, description = "`rate_limited`: at most 20 invitations an hour.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
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

/// The invitations you made, newest first.
#[utoipa::path(
    get,
    path = "/invites",
    tag = "invites",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = InvitesAnswer)),
)]
async fn list_invites(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<InvitesAnswer>> {
    let invites = s.invites.mine(auth.ctx).await?;
    Ok(Json(InvitesAnswer { invites: invites.into_iter().map(InviteDto::from).collect() }))
}
