//! Last seen, the settings that hide it, and blocks, on SQLite.

use natter_domain::entities::{Block, Settings, SettingsPatch};
use natter_domain::ids::UserId;
use natter_domain::notify::UnreadMail;
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use rusqlite::params;

use crate::SqliteStore;
use crate::rows::{map_err, parse_id};
use crate::writer;

/// A foreign key names a user that does not exist.
pub(crate) fn unknown_user(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { .. } => StoreError::NotFound,
        other => other,
    }
}

/// A JSON array of ids: one statement whatever the count.
fn id_array(ids: &[UserId]) -> StoreResult<String> {
    serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| StoreError::Other(e.into()))
}

impl SqliteStore {
    pub(crate) async fn set_last_seen_(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached("update users set last_seen_at = ?2 where id = ?1")
                    .and_then(|mut s| s.execute(params![user.to_string(), at.as_millis()]))
                    .map_err(writer::map_err)?;
                Ok(())
            })
            .await
    }

    pub(crate) async fn get_settings_(&self, user: UserId) -> StoreResult<Settings> {
        let row: Option<(bool, bool, bool, Option<i64>)> = sqlx::query_as(
            "select show_last_seen, sound, desktop, unread_mail_minutes from user_settings where user_id = ?1",
        )
        .bind(user.to_string())
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        Ok(row
            .map(|(show_last_seen, sound, desktop, unread)| Settings {
                show_last_seen,
                sound,
                desktop,
                unread_mail: UnreadMail::from_column(unread),
            })
            .unwrap_or_default())
    }

    pub(crate) async fn update_settings_(
        &self,
        user: UserId,
        patch: SettingsPatch,
        now: Timestamp,
    ) -> StoreResult<Settings> {
        let defaults = Settings::default();
        self.writer
            .run(move |conn| {
                // One statement: a row with the defaults if there was none, then the patch.
                // `?9` says whether the still-unread mail changes (its column is nullable).
                conn.prepare_cached(
                    "insert into user_settings (user_id, show_last_seen, sound, desktop, unread_mail_minutes, updated_at)
                     values (?1, coalesce(?2, ?3), coalesce(?5, ?6), coalesce(?7, ?8), ?10, ?4)
                     on conflict (user_id) do update set
                        show_last_seen = coalesce(?2, show_last_seen), sound = coalesce(?5, sound),
                        desktop = coalesce(?7, desktop),
                        unread_mail_minutes = case when ?9 then ?10 else unread_mail_minutes end,
                        updated_at = ?4
                     returning show_last_seen, sound, desktop, unread_mail_minutes",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![
                            user.to_string(),
                            patch.show_last_seen,
                            defaults.show_last_seen,
                            now.as_millis(),
                            patch.sound,
                            defaults.sound,
                            patch.desktop,
                            defaults.desktop,
                            patch.unread_mail.is_some(),
                            patch.unread_mail.unwrap_or_default().to_column(),
                        ],
                        |r| {
                            Ok(Settings {
                                show_last_seen: r.get(0)?,
                                sound: r.get(1)?,
                                desktop: r.get(2)?,
                                unread_mail: UnreadMail::from_column(r.get(3)?),
                            })
                        },
                    )
                })
                .map_err(writer::map_err)
                .map_err(unknown_user)
            })
            .await
    }

    pub(crate) async fn last_seen_hidden_(&self, users: &[UserId]) -> StoreResult<Vec<UserId>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(String,)> = sqlx::query_as(
            "select user_id from user_settings
             where not show_last_seen and user_id in (select value from json_each(?1))",
        )
        .bind(id_array(users)?)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(|(id,)| parse_id(id)).collect()
    }

    pub(crate) async fn block_user_(
        &self,
        blocker: UserId,
        blocked: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "insert into blocks (blocker_id, blocked_id, created_at) values (?1, ?2, ?3)
                     on conflict (blocker_id, blocked_id) do nothing",
                )
                .and_then(|mut s| {
                    s.execute(params![blocker.to_string(), blocked.to_string(), now.as_millis()])
                })
                .map(|changed| changed == 1)
                .map_err(writer::map_err)
                .map_err(unknown_user)
            })
            .await
    }

    pub(crate) async fn unblock_user_(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached("delete from blocks where blocker_id = ?1 and blocked_id = ?2")
                    .and_then(|mut s| s.execute(params![blocker.to_string(), blocked.to_string()]))
                    .map(|changed| changed == 1)
                    .map_err(writer::map_err)
            })
            .await
    }

    pub(crate) async fn blocks_involving_(&self, user: UserId) -> StoreResult<Vec<Block>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "select blocker_id, blocked_id, created_at from blocks where blocker_id = ?1
             union all
             select blocker_id, blocked_id, created_at from blocks where blocked_id = ?1
             order by created_at desc, blocker_id, blocked_id",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|(blocker, blocked, at)| {
                Ok(Block {
                    blocker: parse_id(blocker)?,
                    blocked: parse_id(blocked)?,
                    created_at: Timestamp::from_millis(*at),
                })
            })
            .collect()
    }
}
