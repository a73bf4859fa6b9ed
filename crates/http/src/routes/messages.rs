//! `POST /message` (JSON or multipart with an image) and `GET /message/:chatId`.

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use natter_app::AppError;
use natter_app::messages::{SendInput, other_member};
use natter_domain::chat::PageCursor;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult, json_error};
use crate::extract::{Auth, Json, Query};
use crate::state::AppState;
use crate::upload_body::drain_upload;
use natter_app::wire::{MessageDto, PageAnswer, SendAnswer, SendMessageRequest, UserDto};

/// An image of up to 10 MiB plus the text fields around it.
pub const UPLOAD_BODY_LIMIT: usize = 10 * 1024 * 1024 + 64 * 1024;
/// Any one text field of a multipart send.
const MAX_TEXT_FIELD: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/message", post(send_message))
        // Layers apply to the routes above them: only the send takes large bodies,
        // and reads them to their end whatever it answers (see `upload_body`).
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
        .layer(from_fn(drain_upload))
        .route("/message/{chat_id}", get(list_messages))
}

async fn send_message(State(s): State<AppState>, auth: Auth, req: Request) -> ApiResult<Response> {
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
            _ => {}
        }
    }
    input.chat_id = chat_id.ok_or_else(|| bad("chatId is required."))?;
    Ok(input)
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<i64>,
    after: Option<i64>,
    limit: Option<u32>,
}

async fn list_messages(
    State(s): State<AppState>,
    auth: Auth,
    Path(chat_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<PageAnswer>> {
    let cursor = match (q.before, q.after) {
        (Some(_), Some(_)) => {
            return Err(ApiError(AppError::BadRequest {
                code: "invalid_query",
                message: "Use either before or after, not both.".into(),
            }));
        }
        (Some(b), None) => PageCursor::Before(b),
        (None, Some(a)) => PageCursor::After(a),
        (None, None) => PageCursor::Latest,
    };
    let view = s.messages.list(auth.ctx, &chat_id, cursor, q.limit).await?;
    let user = match other_member(&view.chat, auth.ctx.user_id) {
        Some(id) => s.users.in_chat(&view.chat, id).await.ok().map(UserDto::from),
        None => None,
    };
    let messages =
        view.page.messages.into_iter().map(|m| MessageDto::new(m, &view.markers, s.media.links())).collect();
    Ok(Json(PageAnswer { messages, user, has_more: view.page.has_more }))
}
