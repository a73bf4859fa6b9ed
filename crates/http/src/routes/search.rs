//! `GET /search`: the messages of your chats that match a query, newest first.

use axum::extract::State;
use natter_app::search::SearchInput;
use natter_app::wire::{ErrorDto, MessageDto, SearchAnswer, SearchHitDto};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_messages))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct SearchQueryParams {
    /// What to find: 1-200 characters once trimmed. Every word must match; the last
    /// letters of a word may be missing (`deplo` finds `deploy`); a word with dots or
    /// slashes (`natter.toml`, `example.com/a/b`) matches those parts in that order.
    /// Any character is text, never syntax.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Only this chat (one you belong to).
    chat_id: Option<String>,
    /// Only results older than this message (`_id` of the last result of a page).
    before: Option<String>,
    /// How many (default 20); values outside 1-50 count as the nearest of them.
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    limit: Option<u32>,
}

/// Search the messages of the chats you belong to (deleted ones are not found), newest
/// first, each with the ranges of its text that matched.
#[utoipa::path(
    get,
    path = "/search",
    tag = "messages",
    params(SearchQueryParams),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = SearchAnswer),
        (status = 400, description = "`invalid_query`: no `q`, or longer than 200 characters once trimmed; \
            a `before` that is not a message id.", body = ErrorDto),
        (status = 403, description = "`not_a_member` of `chatId`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`: no chat `chatId`.", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn search_messages(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQueryParams>,
) -> ApiResult<Json<SearchAnswer>> {
    let input = SearchInput { q: q.q, chat_id: q.chat_id, before: q.before, limit: q.limit };
    let found = s.messages.search(auth.ctx, input).await?;
    let messages = found
        .hits
        .into_iter()
        .map(|(m, highlights)| SearchHitDto { message: MessageDto::new(m, &[], s.media.links()), highlights })
        .collect();
    Ok(Json(SearchAnswer { messages, has_more: found.has_more }))
}
