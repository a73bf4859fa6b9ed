//! Searching the messages of the chats a user belongs to (`natter_domain::search` says
//! how a query matches). A chat the caller is not in answers as the other chat
//! endpoints do (403/404), and without `chatId` only the caller's chats are searched:
//! the store joins on the membership row, so leaving a chat ends finding its messages.

use std::time::Duration;

use natter_domain::chat::Message;
use natter_domain::ids::MessageId;
use natter_domain::ports::{Decision, Rate};
use natter_domain::search::{DEFAULT_SEARCH_LIMIT, MAX_QUERY_CHARS, MAX_SEARCH_LIMIT, SearchQuery};
use tracing::instrument;

use crate::auth::AuthContext;
use crate::messages::MessageService;
use crate::{AppError, AppResult};

/// A search is a few index lookups; typing into a search box sends one every few
/// hundred milliseconds, a script far more.
pub const SEARCH_RATES: [Rate; 2] =
    [Rate::per(30, Duration::from_secs(10)), Rate::per(300, Duration::from_secs(60))];

/// A search as a transport receives it, not yet validated.
#[derive(Debug, Default)]
pub struct SearchInput {
    pub q: Option<String>,
    pub chat_id: Option<String>,
    pub before: Option<String>,
    pub limit: Option<u32>,
}

/// Results, newest first, each with the ranges of its text to highlight.
pub struct SearchResults {
    pub hits: Vec<(Message, Vec<[u32; 2]>)>,
    pub has_more: bool,
}

impl MessageService {
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn search(&self, who: AuthContext, input: SearchInput) -> AppResult<SearchResults> {
        let raw = input.q.as_deref().map(str::trim).unwrap_or_default();
        if raw.is_empty() || raw.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                message: format!("q must be 1-{MAX_QUERY_CHARS} characters."),
            });
        }
        let chat = match input.chat_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(id) => Some(self.chats().require_member(who, id).await?.id),
            None => None,
        };
        let before = match input.before.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => Some(b.parse::<MessageId>().map_err(|_| AppError::BadRequest {
                code: "invalid_query",
                message: "before must be the _id of a message.".into(),
            })?),
            None => None,
        };
        let limit = input.limit.unwrap_or(DEFAULT_SEARCH_LIMIT).clamp(1, MAX_SEARCH_LIMIT);
        let key = format!("search:user:{}", who.user_id);
        if let Decision::Limited { retry_after } =
            self.limiter().hit(&key, &SEARCH_RATES, self.clock().now()).await?
        {
            return Err(AppError::RateLimited {
                code: "rate_limited",
                message: "You are searching too fast. Slow down a little.".into(),
                retry_after,
            });
        }
        let query = SearchQuery::parse(raw);
        // One more than asked tells whether older results exist.
        let mut found = self.store().search_messages(who.user_id, &query, chat, before, limit + 1).await?;
        let has_more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let hits = found
            .into_iter()
            .map(|m| {
                let ranges = query.highlights(&m.text);
                (m, ranges)
            })
            .collect();
        Ok(SearchResults { hits, has_more })
    }
}
