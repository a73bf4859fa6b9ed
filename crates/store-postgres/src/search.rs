//! Message search on PostgreSQL: the expression index of migration 0007, matched with a
//! `tsquery` built from the query's tokens only.

use natter_domain::chat::Message;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::search::SearchQuery;
use uuid::Uuid;

use crate::PgStore;
use crate::chats::attach_details;
use crate::rows::{MessageRow, map_err};

/// The indexed expression, exactly as migration 0007 creates it (else the planner
/// cannot use the index).
const DOCUMENT: &str = "to_tsvector('simple'::regconfig, regexp_replace(m.text, '[^[:alnum:]]+', ' ', 'g'))";

impl PgStore {
    pub(crate) async fn search_messages_(
        &self,
        user: UserId,
        query: &SearchQuery,
        chat: Option<ChatId>,
        before: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let columns =
            MessageRow::COLUMNS.split(", ").map(|c| format!("m.{c}")).collect::<Vec<_>>().join(", ");
        // Membership is the join: a member who left no longer finds the chat's messages.
        // A group's notices are not searched: their text is a note for the client.
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "select {columns} from messages m
             join chat_members me on me.chat_id = m.chat_id and me.user_id = $1
             where {DOCUMENT} @@ to_tsquery('simple', $2) and m.deleted_at is null and m.kind <> 'system'
               and ($3::uuid is null or m.chat_id = $3) and ($4::uuid is null or m.id < $4)
             order by m.id desc limit $5"
        ))
        .bind(Uuid::from(user))
        .bind(tsquery(query))
        .bind(chat.map(Uuid::from))
        .bind(before.map(Uuid::from))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut messages = rows.into_iter().map(Message::try_from).collect::<StoreResult<Vec<_>>>()?;
        attach_details(&self.pool, messages.iter_mut()).await?;
        Ok(messages)
    }
}

/// Every word as the phrase of its tokens, its last token a prefix (`'natter' <->
/// 'tom':*`), all of them required. Tokens are letters and digits only; they are
/// quoted and escaped anyway, so nothing in them can ever be `tsquery` syntax.
/// `to_tsquery('simple', ...)` then folds case as the indexed side did.
fn tsquery(query: &SearchQuery) -> String {
    let quote = |t: &str| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''"));
    query
        .phrases()
        .iter()
        .map(|tokens| {
            let mut parts: Vec<String> = tokens.iter().map(|t| quote(t)).collect();
            if let Some(last) = parts.last_mut() {
                last.push_str(":*");
            }
            format!("({})", parts.join(" <-> "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_a_prefix_phrase_and_all_are_required() {
        let q = SearchQuery::parse("natter.toml deplo '&!");
        assert_eq!(tsquery(&q), "('natter' <-> 'toml':*) & ('deplo':*)");
    }
}
