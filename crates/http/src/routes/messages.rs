//! `POST /message` (JSON or multipart with an image) and `GET /message/:chatId`.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use natter_app::AppError;
use natter_app::messages::{SendInput, other_member};
use natter_domain::chat::PageCursor;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, json_error};
use crate::extract::{Auth, Json, Path, Query};
use crate::state::AppState;
use crate::upload_body::drain_upload;
use natter_app::wire::{
    EditDto, EditsAnswer, ErrorDto, MessageAnswer, MessageDto, PageAnswer, SendAnswer, SendMessageRequest,
    UserDto,
};

/// An image of up to 10 MiB plus the text fields around it.
pub const UPLOAD_BODY_LIMIT: usize = 10 * 1024 * 1024 + 64 * 1024;
/// Any one text field of a multipart send.
const MAX_TEXT_FIELD: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_message))
        // Layers apply to the routes above them: only the send takes large bodies,
        // and reads them to their end whatever it answers (see `upload_body`).
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
        .layer(from_fn(drain_upload))
        .routes(routes!(list_messages, edit_message, delete_message))
        .routes(routes!(message_edits))
        .routes(routes!(add_reaction, remove_reaction))
}

/// The multipart form of a send (`read_multipart` reads it): an image, its caption.
#[derive(ToSchema)]
#[schema(as = SendMessageForm)]
#[allow(dead_code)]
struct SendMessageForm {
    #[schema(rename = "chatId")]
    chat_id: String,
    text: Option<String>,
    /// A PNG, JPEG, GIF or WebP of at most 10 MB.
    #[schema(value_type = Option<String>, format = Binary)]
    image: Option<Vec<u8>>,
    #[schema(rename = "clientId", pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    client_id: Option<String>,
    #[schema(rename = "replyTo")]
    reply_to: Option<String>,
    /// A member the caption mentions; repeat the field for each (at most 50).
    mentions: Option<Vec<String>>,
}

/// Send a message: JSON for text, multipart for an image. A repeated `clientId` from
/// the same sender answers the original message (200) and stores nothing.
#[utoipa::path(
    post,
    path = "/message",
    tag = "messages",
    request_body(content(
        (SendMessageRequest = "application/json"),
        (SendMessageForm = "multipart/form-data"),
    )),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Stored and announced.", body = SendAnswer),
        (status = 200, description = "A retry: the message this `clientId` sent before.", body = SendAnswer),
        (status = 400, description = "`empty_message`, `text_too_long`, `invalid_client_id`, `invalid_reply`, \
            `client_id_reused` (in another chat), `invalid_image`, `invalid_body`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`; in a 1:1 chat `blocked` (the other member blocked you) \
            or `you_blocked_user` (unblock them to write).", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
        (status = 413, description = "`too_large`: an image over 10 MB, or a text field over 64 KiB.", body = ErrorDto),
        (status = 422, description = "`image_too_large`: an image whose pixels exceed what the server decodes (40 MP, 16,384 px a side, or its decode memory budget).", body = ErrorDto),
        (status = 429, description = "`rate_limited`: you are sending too fast.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn send_message(State(s): State<AppState>, auth: Auth, req: Request) -> ApiResult<Response> {
    let started = std::time::Instant::now();
    let answer = send(&s, auth, req).await;
    s.metrics.send("rest", started.elapsed());
    answer
}

async fn send(s: &AppState, auth: Auth, req: Request) -> ApiResult<Response> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let input = if is_multipart {
        match read_multipart(req).await {
            Ok(input) => input,
            Err(res) => return Ok(res),
        }
    } else {
        match Json::<SendMessageRequest>::from_request(req, &()).await {
            Ok(Json(b)) => b.into(),
            Err(res) => return Ok(res),
        }
    };
    let stored = s.messages.send(auth.ctx, input).await?;
    let status = if stored.created { StatusCode::CREATED } else { StatusCode::OK };
    let body = SendAnswer {
        message: MessageDto::new(stored.message, &[], s.media.links()),
        sender: auth.ctx.user_id.to_string(),
    };
    Ok((status, Json(body)).into_response())
}

async fn read_multipart(req: Request) -> Result<SendInput, Response> {
    let bad = |msg: &str| json_error(StatusCode::BAD_REQUEST, "invalid_body", msg);
    let mut form =
        Multipart::from_request(req, &()).await.map_err(|_| bad("The multipart body is not valid."))?;
    let mut input = SendInput::default();
    let mut chat_id = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "The upload is larger than 10 MB.",
                ));
            }
            Err(_) => return Err(bad("The multipart body is not valid.")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "The upload is larger than 10 MB.")
            } else {
                bad("The multipart body is not valid.")
            }
        })?;
        if name == "image" {
            // Multer gathers a field into one buffer: taking it is not a copy.
            input.image = Some(Vec::from(bytes));
            continue;
        }
        if bytes.len() > MAX_TEXT_FIELD {
            return Err(json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "A text field is too large."));
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| bad("Text fields must be UTF-8."))?;
        match name.as_str() {
            "chatId" => chat_id = Some(text),
            "text" => input.text = Some(text),
            "clientId" => input.client_id = Some(text),
            "replyTo" => input.reply_to = Some(text),
            "mentions" => input.mentions.push(text),
            _ => {}
        }
    }
    input.chat_id = chat_id.ok_or_else(|| bad("chatId is required."))?;
    Ok(input)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// Messages before this `seq` (older history). Not with `after`.
    before: Option<i64>,
    /// Messages after this `seq`. Not with `before`.
    after: Option<i64>,
    /// The messages around this `seq` (it, about half the limit before it, the rest
    /// after it): where a reply's parent or a search result is. Not with `before` or
    /// `after`.
    around: Option<i64>,
    /// How many (default 50); values outside 1-200 count as the nearest of them.
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    limit: Option<u32>,
}

/// A page of a chat's history, oldest first; without a cursor the newest page, which
/// also marks the chat read (as opening it did in the seed). Replies carry a preview
/// of the message they answer (`replyPreview`, with its `seq` for `around`).
#[utoipa::path(
    get,
    path = "/message/{id}",
    tag = "messages",
    params(("id" = String, Path, description = "The chat's `_id`."), PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = PageAnswer),
        (status = 400, description = "`invalid_query`: more than one of `before`, `after` and `around`.", body = ErrorDto),
        (status = 403, description = "`not_a_member`.", body = ErrorDto),
        (status = 404, description = "`chat_not_found`.", body = ErrorDto),
    ),
)]
async fn list_messages(
    State(s): State<AppState>,
    auth: Auth,
    Path(chat_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<PageAnswer>> {
    let cursor = match (q.before, q.after, q.around) {
        (Some(b), None, None) => PageCursor::Before(b),
        (None, Some(a), None) => PageCursor::After(a),
        (None, None, Some(seq)) => PageCursor::Around(seq),
        (None, None, None) => PageCursor::Latest,
        _ => {
            return Err(ApiError(AppError::BadRequest {
                code: "invalid_query",
                message: "Use one of before, after and around, not several.".into(),
            }));
        }
    };
    let view = s.messages.list(auth.ctx, &chat_id, cursor, q.limit).await?;
    let user = match other_member(&view.chat, auth.ctx.user_id) {
        Some(id) => s.users.in_chat(auth.ctx, &view.chat, id).await.ok().map(UserDto::from),
        None => None,
    };
    let messages =
        view.page.messages.into_iter().map(|m| MessageDto::new(m, &view.markers, s.media.links())).collect();
    Ok(Json(PageAnswer { messages, user, has_more: view.page.has_more, has_newer: view.page.has_newer }))
}

/// `PATCH /message/:id`.
#[derive(Deserialize, ToSchema)]
#[schema(as = EditMessageRequest)]
struct EditRequest {
    /// The new text (1-4000 characters; an image's caption may be empty).
    text: String,
}

/// Give one of your messages a new text, within 24 hours of sending it. The same
/// text again changes nothing. Every member's sockets get `messageUpdated`.
#[utoipa::path(
    patch,
    path = "/message/{id}",
    tag = "messages",
    params(("id" = String, Path, description = "The message's `_id`.")),
    request_body = EditRequest,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The message as it is now.", body = MessageAnswer),
        (status = 400, description = "`empty_message`, `text_too_long`, `invalid_body`.", body = ErrorDto),
        (status = 403, description = "`not_allowed` (not yours), `edit_window_passed`.", body = ErrorDto),
        (status = 404, description = "`message_not_found`: none you can see.", body = ErrorDto),
        (status = 409, description = "`message_deleted`.", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn edit_message(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<EditRequest>,
) -> ApiResult<Json<MessageAnswer>> {
    let m = s.messages.edit(auth.ctx, &id, &body.text).await?;
    Ok(message_answer(&s, m))
}

/// Delete one of your messages for everyone: its text, image and earlier texts are
/// gone, a tombstone stays in its place. Deleting it again answers the tombstone.
/// Every member's sockets get `messageDeleted`.
#[utoipa::path(
    delete,
    path = "/message/{id}",
    tag = "messages",
    params(("id" = String, Path, description = "The message's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The tombstone.", body = MessageAnswer),
        (status = 403, description = "`not_allowed`: not yours.", body = ErrorDto),
        (status = 404, description = "`message_not_found`: none you can see.", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn delete_message(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageAnswer>> {
    let m = s.messages.delete(auth.ctx, &id).await?;
    Ok(message_answer(&s, m))
}

/// The texts one of your messages had before its edits, oldest first.
#[utoipa::path(
    get,
    path = "/message/{id}/edits",
    tag = "messages",
    params(("id" = String, Path, description = "The message's `_id`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = EditsAnswer),
        (status = 403, description = "`not_allowed`: not yours.", body = ErrorDto),
        (status = 404, description = "`message_not_found`: none you can see, or deleted.", body = ErrorDto),
    ),
)]
async fn message_edits(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<EditsAnswer>> {
    let edits = s.messages.edits(auth.ctx, &id).await?;
    Ok(Json(EditsAnswer { edits: edits.into_iter().map(EditDto::from).collect() }))
}

/// React to a message of a chat you belong to with one emoji (URL-encoded), once per
/// emoji; again changes nothing. Every member's sockets get `messageUpdated`.
#[utoipa::path(
    put,
    path = "/message/{id}/reactions/{emoji}",
    tag = "messages",
    params(
        ("id" = String, Path, description = "The message's `_id`."),
        ("emoji" = String, Path, description = "One emoji, URL-encoded."),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The message with its reactions now.", body = MessageAnswer),
        (status = 400, description = "`invalid_emoji`: not one emoji.", body = ErrorDto),
        (status = 404, description = "`message_not_found`: none you can see.", body = ErrorDto),
        (status = 409, description = "`message_deleted`, `too_many_reactions` (20 different emoji).", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn add_reaction(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, emoji)): Path<(String, String)>,
) -> ApiResult<Json<MessageAnswer>> {
    let m = s.messages.react(auth.ctx, &id, &emoji, true).await?;
    Ok(message_answer(&s, m))
}

/// Take back your reaction; one that is not there changes nothing.
#[utoipa::path(
    delete,
    path = "/message/{id}/reactions/{emoji}",
    tag = "messages",
    params(
        ("id" = String, Path, description = "The message's `_id`."),
        ("emoji" = String, Path, description = "One emoji, URL-encoded."),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The message with its reactions now.", body = MessageAnswer),
        (status = 400, description = "`invalid_emoji`.", body = ErrorDto),
        (status = 404, description = "`message_not_found`.", body = ErrorDto),
        (status = 409, description = "`message_deleted`.", body = ErrorDto),
        (status = 429, description = "`rate_limited`.", body = ErrorDto,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
async fn remove_reaction(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, emoji)): Path<(String, String)>,
) -> ApiResult<Json<MessageAnswer>> {
    let m = s.messages.react(auth.ctx, &id, &emoji, false).await?;
    Ok(message_answer(&s, m))
}

/// The answer of an edit, a delete or a reaction: the message as it is now.
fn message_answer(s: &AppState, m: natter_domain::chat::Message) -> Json<MessageAnswer> {
    Json(MessageAnswer { message: MessageDto::new(m, &[], s.media.links()) })
}
