//! Group chats: create one, rename it, add and remove members (or leave), give roles.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Path};
use crate::state::AppState;
use natter_app::wire::{ChatAnswer, ChatDto, ErrorDto, NewChatAnswer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_group))
        .routes(routes!(rename_group))
        .routes(routes!(add_members))
        .routes(routes!(remove_member, set_role))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewGroupRequest)]
struct NewGroupBody {
    /// 1-80 characters, trimmed.
    #[schema(value_type = String, min_length = 1, max_length = 80)]
    name: Option<String>,
    /// The other members' `_id`s (you are its owner); at most 255.
    #[serde(default)]
    #[schema(max_items = 256)]
    user_ids: Vec<String>,
    /// Your idempotency key: the same one again answers the group made the first time.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    client_id: Option<String>,
}

/// Create a group with you as its owner.
#[utoipa::path(
    post,
    path = "/chat/group",
    tag = "chats",
    request_body = NewGroupBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created, or made before with this `clientId`.", body = NewChatAnswer),
        (status = 400, description = "`invalid_name`, `invalid_user` (none named, or one unknown), `too_many_members`, `invalid_client_id`, `client_id_reused`.", body = ErrorDto),
    ),
)]
async fn create_group(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<NewGroupBody>,
) -> ApiResult<(StatusCode, Json<NewChatAnswer>)> {
    let chat = s.chats.create_group(auth.ctx, b.name.as_deref(), &b.user_ids, b.client_id.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(NewChatAnswer { message: "Group ready", chat_id: chat.id.to_string() })))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = RenameGroupRequest)]
struct RenameBody {
    /// 1-80 characters, trimmed.
    #[schema(value_type = String, min_length = 1, max_length = 80)]
    name: Option<String>,
}

/// Rename a group (its owner and admins).
#[utoipa::path(
    patch,
    path = "/chat/{id}",
    tag = "chats",
    params(("id" = String, Path, description = "The group's `_id`.")),
    request_body = RenameBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = ChatAnswer),
        (status = 400, description = "`invalid_name`, `not_a_group`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`, `not_allowed`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn rename_group(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(b): Json<RenameBody>,
) -> ApiResult<Json<ChatAnswer>> {
    let chat = s.chats.rename(auth.ctx, &id, b.name.as_deref()).await?;
    Ok(Json(ChatAnswer { chat: ChatDto::shape(chat) }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AddMembersRequest)]
struct AddMembersBody {
    /// The users to add; those already in the group stay as they are.
    #[serde(default)]
    #[schema(max_items = 256)]
    user_ids: Vec<String>,
}

/// Add members to a group (its owner and admins).
#[utoipa::path(
    post,
    path = "/chat/{id}/members",
    tag = "chats",
    params(("id" = String, Path, description = "The group's `_id`.")),
    request_body = AddMembersBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = ChatAnswer),
        (status = 400, description = "`invalid_user`, `too_many_members`, `not_a_group`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`, `not_allowed`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn add_members(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(b): Json<AddMembersBody>,
) -> ApiResult<Json<ChatAnswer>> {
    let chat = s.chats.add_members(auth.ctx, &id, &b.user_ids).await?;
    Ok(Json(ChatAnswer { chat: ChatDto::shape(chat) }))
}

/// Remove a member from a group, or leave it with your own `_id`. An owner who leaves
/// hands the group to its longest-standing admin, or else member.
#[utoipa::path(
    delete,
    path = "/chat/{id}/members/{userId}",
    tag = "chats",
    params(
        ("id" = String, Path, description = "The group's `_id`."),
        ("userId" = String, Path, description = "The member's `_id`; yours to leave."),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed, or was not in the group."),
        (status = 400, description = "`invalid_user`, `not_a_group`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`, `not_allowed`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn remove_member(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.chats.remove_member(auth.ctx, &id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(as = SetRoleRequest)]
struct RoleBody {
    /// `admin` or `member`.
    #[schema(schema_with = role_schema)]
    role: String,
}

/// Make a member an admin, or a plain member again (the group's owner).
#[utoipa::path(
    patch,
    path = "/chat/{id}/members/{userId}",
    tag = "chats",
    params(
        ("id" = String, Path, description = "The group's `_id`."),
        ("userId" = String, Path, description = "The member's `_id`."),
    ),
    request_body = RoleBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = ChatAnswer),
        (status = 400, description = "`invalid_user`, `invalid_role`, `not_in_group`, `not_a_group`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`, `not_allowed`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn set_role(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, user_id)): Path<(String, String)>,
    Json(b): Json<RoleBody>,
) -> ApiResult<Json<ChatAnswer>> {
    let chat = s.chats.set_role(auth.ctx, &id, &user_id, &b.role).await?;
    Ok(Json(ChatAnswer { chat: ChatDto::shape(chat) }))
}

/// `role`: what the owner may give.
fn role_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["admin", "member"]))
        .build()
}
