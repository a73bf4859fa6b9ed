//! `me/settings`: your own settings, read and changed.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use natter_app::AppError;

use crate::error::ApiResult;
use crate::extract::{Auth, Json};
use crate::state::AppState;
use natter_app::wire::{ErrorDto, SettingsDto, SettingsPatchRequest};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}

/// Your settings.
#[utoipa::path(
    get,
    path = "/me/settings",
    tag = "users",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SettingsDto)),
)]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<SettingsDto>> {
    Ok(Json(s.settings.get(auth.ctx).await?.into()))
}

/// Change some of your settings (those left out stay); answers all of them.
#[utoipa::path(
    patch,
    path = "/me/settings",
    tag = "users",
    request_body = SettingsPatchRequest,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = SettingsDto),
        (status = 400, description = "`invalid_body`: a field that is not a setting, or of the wrong type; `invalid_setting`: `unreadMailAfterMinutes` not 5, 15, 60 or null.", body = ErrorDto),
    ),
)]
async fn update_settings(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<SettingsPatchRequest>,
) -> ApiResult<Json<SettingsDto>> {
    let patch = b
        .into_patch()
        .map_err(|message| AppError::BadRequest { code: "invalid_setting", message: message.into() })?;
    Ok(Json(s.settings.update(auth.ctx, patch).await?.into()))
}
