//! `chat/new`, `chat/all`, read markers and the catch-up feed.

use axum::extract::State;
use axum::http::StatusCode;
use natter_app::messages::other_member;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Path, Query};
use crate::state::AppState;
use natter_app::wire::{
    ChatDto, ChatListAnswer, ChatListItemDto, ErrorDto, EventDto, EventsAnswer, NewChatAnswer, UserDto,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_chat))
        .routes(routes!(list_chats))
        .routes(routes!(mark_read))
        .routes(routes!(list_events))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewChatRequest)]
struct NewChatBody {
    /// The other member's `_id`.
    other_user_id: Option<String>,
    /// What the seed's README calls the field: read when `otherUserId` is absent.
    user_id: Option<String>,
}

/// Start a 1:1 chat, or find the one you already have with that user.
#[utoipa::path(
    post,
    path = "/chat/new",
    tag = "chats",
    request_body = NewChatBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = NewChatAnswer),
        (status = 400, description = "`invalid_user`: no user id, an unknown one, or your own.", body = ErrorDto),
        (status = 403, description = "`blocked`: that user blocked you.", body = ErrorDto),
    ),
)]
async fn new_chat(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<NewChatBody>,
) -> ApiResult<Json<NewChatAnswer>> {
    let other = b.other_user_id.or(b.user_id);
    let chat_id = s.chats.start_direct(auth.ctx, other.as_deref()).await?;
    Ok(Json(NewChatAnswer { message: "Chat ready", chat_id: chat_id.to_string() }))
}

/// Your chats, newest activity first; `user` is the other member of a 1:1 chat,
/// `members` a group's members.
#[utoipa::path(
    get,
    path = "/chat/all",
    tag = "chats",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ChatListAnswer)),
)]
async fn list_chats(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<ChatListAnswer>> {
    let list = s.chats.list(auth.ctx).await?;
    let chats = list
        .chats
        .into_iter()
        .map(|summary| {
            let user = other_member(&summary.chat, auth.ctx.user_id)
                .and_then(|id| list.users.get(&id).cloned())
                .map(UserDto::from);
            let members = if summary.chat.is_group {
                summary
                    .chat
                    .members
                    .iter()
                    .filter_map(|id| list.users.get(id).cloned())
                    .map(UserDto::from)
                    .collect()
            } else {
                Vec::new()
            };
            ChatListItemDto { user, chat: ChatDto::from(summary), members }
        })
        .collect();
    Ok(Json(ChatListAnswer { chats }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReadRequest)]
struct ReadBody {
    /// You have read everything up to this `seq`. Markers only move forward.
    #[serde(deserialize_with = "crate::extract::integer")]
    up_to_seq: i64,
}

/// Move your read marker in a chat (the others see `messagesSeen`).
#[utoipa::path(
    post,
    path = "/chat/{id}/read",
    tag = "chats",
    params(("id" = String, Path, description = "The chat's `_id`.")),
    request_body = ReadBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Marked (or already further)."),
        (status = 403, description = "`not_a_member`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn mark_read(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(b): Json<ReadBody>,
) -> ApiResult<StatusCode> {
    s.chats.mark_read(auth.ctx, &id, b.up_to_seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    /// Changes after this `seq` (default 0: from the start).
    after: Option<i64>,
    /// How many (default 100); values outside 1-500 count as the nearest of them.
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    limit: Option<u32>,
}

/// Every durable change in a chat after `after`, in order: how a client that was
/// away catches up without gaps or duplicates.
#[utoipa::path(
    get,
    path = "/chat/{id}/events",
    tag = "chats",
    params(("id" = String, Path, description = "The chat's `_id`."), EventsQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = EventsAnswer),
        (status = 403, description = "`not_a_member`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn list_events(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<EventsAnswer>> {
    let page = s.chats.events(auth.ctx, &id, q.after.unwrap_or(0), q.limit).await?;
    let events = page
        .events
        .into_iter()
        .filter_map(|e| EventDto::from_feed(e, &page.markers, s.media.links()))
        .collect();
    Ok(Json(EventsAnswer { events, last_seq: page.last_seq }))
}
