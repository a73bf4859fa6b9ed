//! Last seen, the settings that hide it, and blocks, on PostgreSQL. Each method is one
//! statement; blocking twice is `on conflict do nothing`, so racing blocks of the same
//! pair leave one row and exactly one of them answers `true`.

use natter_domain::entities::{Block, Settings, SettingsPatch};
use natter_domain::ids::UserId;
use natter_domain::notify::UnreadMail;
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use uuid::Uuid;

use crate::PgStore;
use crate::rows::map_err;

/// A foreign key names a user that does not exist.
pub(crate) fn unknown_user(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { .. } => StoreError::NotFound,
        other => other,
    }
}

impl PgStore {
    pub(crate) async fn set_last_seen_(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        sqlx::query("update users set last_seen_at = $2 where id = $1")
            .bind(Uuid::from(user))
            .bind(at.as_millis())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    pub(crate) async fn get_settings_(&self, user: UserId) -> StoreResult<Settings> {
        let row: Option<(bool, bool, bool, Option<i64>)> = sqlx::query_as(
            "select show_last_seen, sound, desktop, unread_mail_minutes from user_settings where user_id = $1",
        )
        .bind(Uuid::from(user))
        .fetch_optional(&self.pool)
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
        // One statement: a row with the defaults if there was none, then the patch.
        let defaults = Settings::default();
        // `$9` says whether the still-unread mail changes (its column is nullable).
        let (show_last_seen, sound, desktop, unread): (bool, bool, bool, Option<i64>) = sqlx::query_as(
            "insert into user_settings (user_id, show_last_seen, sound, desktop, unread_mail_minutes, updated_at)
             values ($1, coalesce($2, $3), coalesce($5, $6), coalesce($7, $8), $10, $4)
             on conflict (user_id) do update set
                show_last_seen = coalesce($2, user_settings.show_last_seen),
                sound = coalesce($5, user_settings.sound), desktop = coalesce($7, user_settings.desktop),
                unread_mail_minutes = case when $9 then $10 else user_settings.unread_mail_minutes end,
                updated_at = $4
             returning show_last_seen, sound, desktop, unread_mail_minutes",
        )
        .bind(Uuid::from(user))
        .bind(patch.show_last_seen)
        .bind(defaults.show_last_seen)
        .bind(now.as_millis())
        .bind(patch.sound)
        .bind(defaults.sound)
        .bind(patch.desktop)
        .bind(defaults.desktop)
        .bind(patch.unread_mail.is_some())
        .bind(patch.unread_mail.unwrap_or_default().to_column())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
        .map_err(unknown_user)?;
        Ok(Settings { show_last_seen, sound, desktop, unread_mail: UnreadMail::from_column(unread) })
    }

    pub(crate) async fn last_seen_hidden_(&self, users: &[UserId]) -> StoreResult<Vec<UserId>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = users.iter().copied().map(Uuid::from).collect();
        let rows: Vec<Uuid> = sqlx::query_scalar(
            "select user_id from user_settings where not show_last_seen and user_id = any($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(UserId::from).collect())
    }

    pub(crate) async fn block_user_(
        &self,
        blocker: UserId,
        blocked: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "insert into blocks (blocker_id, blocked_id, created_at) values ($1, $2, $3)
             on conflict (blocker_id, blocked_id) do nothing",
        )
        .bind(Uuid::from(blocker))
        .bind(Uuid::from(blocked))
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)
        .map_err(unknown_user)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn unblock_user_(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
        let done = sqlx::query("delete from blocks where blocker_id = $1 and blocked_id = $2")
            .bind(Uuid::from(blocker))
            .bind(Uuid::from(blocked))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn blocks_involving_(&self, user: UserId) -> StoreResult<Vec<Block>> {
        let rows: Vec<(Uuid, Uuid, i64)> = sqlx::query_as(
            "select blocker_id, blocked_id, created_at from blocks where blocker_id = $1
             union all
             select blocker_id, blocked_id, created_at from blocks where blocked_id = $1
             order by created_at desc, blocker_id, blocked_id",
        )
        .bind(Uuid::from(user))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(blocker, blocked, at)| Block {
                blocker: blocker.into(),
                blocked: blocked.into(),
                created_at: Timestamp::from_millis(at),
            })
            .collect())
    }
}
