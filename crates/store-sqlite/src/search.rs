//! Message search on SQLite: the FTS5 index of migration 0011 (kept up to date in
//! batches since 0016, `search_index.rs`), matched with an
//! expression built from the query's tokens only.

use natter_domain::chat::Message;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::search::SearchQuery;

use crate::rows::{MessageRow, map_err};
use crate::{SqliteStore, search_index};

impl SqliteStore {
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
        search_index::catch_up_for_search(&self.writer, &self.reader).await?;
        let columns =
            MessageRow::COLUMNS.split(", ").map(|c| format!("m.{c}")).collect::<Vec<_>>().join(", ");
        // Membership is the join: a member who left no longer finds the chat's messages.
        // A group's notices are not searched: their text is a note for the client.
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "select {columns} from message_search s
             join message_search_rows r on r.id = s.rowid
             join messages m on m.id = r.message_id
             join chat_members me on me.chat_id = m.chat_id and me.user_id = ?1
             where message_search match ?2 and m.deleted_at is null and m.kind <> 'system'
               and (?3 is null or m.chat_id = ?3) and (?4 is null or m.id < ?4)
             order by m.id desc limit ?5"
        ))
        .bind(user.to_string())
        .bind(fts5_expression(query))
        .bind(chat.map(|c| c.to_string()))
        .bind(before.map(|b| b.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let mut messages = rows.into_iter().map(Message::try_from).collect::<StoreResult<Vec<_>>>()?;
        self.attach_details(messages.iter_mut()).await?;
        Ok(messages)
    }
}

/// Every word as a quoted phrase of its tokens, its last token a prefix (`"natter
/// tom"*`), all of them required. Tokens are letters and digits only; the quotes
/// are doubled anyway, so nothing in them can ever be FTS5 syntax.
fn fts5_expression(query: &SearchQuery) -> String {
    query
        .phrases()
        .iter()
        .map(|tokens| format!("\"{}\"*", tokens.join(" ").replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_a_prefix_phrase_and_all_are_required() {
        let q = SearchQuery::parse("natter.toml   deplo \"OR\" *");
        assert_eq!(fts5_expression(&q), "\"natter toml\"* AND \"deplo\"* AND \"or\"*");
    }
}
