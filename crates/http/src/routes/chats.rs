//! `chat/new`, `chat/all`, read markers and the catch-up feed.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use natter_app::messages::other_member;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Query};
use crate::state::AppState;
use natter_app::wire::{
    ChatDto, ChatListAnswer, ChatListItemDto, EventDto, EventsAnswer, NewChatAnswer, UserDto,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/chat/new", post(new_chat))
        .route("/chat/all", get(list_chats))
        .route("/chat/{id}/read", post(mark_read))
        .route("/chat/{id}/events", get(list_events))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewChatBody {
    other_user_id: Option<String>,
    /// What the seed's README calls the field.
    user_id: Option<String>,
}

async fn new_chat(
    State(s): State<AppState>,
    auth: Auth,
    Json(b): Json<NewChatBody>,
) -> ApiResult<Json<NewChatAnswer>> {
    let other = b.other_user_id.or(b.user_id);
    let chat_id = s.chats.start_direct(auth.ctx, other.as_deref()).await?;
    Ok(Json(NewChatAnswer { message: "Chat ready", chat_id: chat_id.to_string() }))
}

async fn list_chats(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<ChatListAnswer>> {
    let list = s.chats.list(auth.ctx).await?;
    let chats = list
        .chats
        .into_iter()
        .map(|summary| {
            let user = other_member(&summary.chat, auth.ctx.user_id)
                .and_then(|id| list.users.get(&id).cloned())
                .map(UserDto::from);
            ChatListItemDto { user, chat: ChatDto::from(summary) }
        })
        .collect();
    Ok(Json(ChatListAnswer { chats }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadBody {
    up_to_seq: i64,
}

async fn mark_read(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(b): Json<ReadBody>,
) -> ApiResult<StatusCode> {
    s.chats.mark_read(auth.ctx, &id, b.up_to_seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct EventsQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

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
