//! Who may join on PostgreSQL: admitting a verified address, invitations, and the user
//! search that does not reveal addresses.

use natter_domain::entities::{Admission, Admitted, Invite, User};
use natter_domain::ids::UserId;
use natter_domain::ports::StoreResult;
use natter_domain::{DisplayName, Email, Timestamp};
use uuid::Uuid;

use crate::rows::{InviteRow, UserRow, map_err};
use crate::{LOCK_FIRST_ADMIN, PgStore};

impl PgStore {
    pub(crate) async fn admit_user_(
        &self,
        email: &Email,
        name: &DisplayName,
        admission: Admission,
        now: Timestamp,
    ) -> StoreResult<Admitted> {
        let email = email.as_str();
        let select = format!("select {} from users where email = $1", UserRow::COLUMNS);
        let mut tx = self.begin().await?;
        let existing: Option<UserRow> =
            sqlx::query_as(&select).bind(email).fetch_optional(&mut *tx).await.map_err(map_err)?;
        if let Some(row) = existing {
            tx.commit().await.map_err(map_err)?;
            return Ok(Admitted::Existing(row.try_into()?));
        }
        let is_empty = "select not exists (select 1 from users)";
        let mut empty: bool = sqlx::query_scalar(is_empty).fetch_one(&mut *tx).await.map_err(map_err)?;
        if empty {
            // Two first accounts may both see an empty table: whoever takes this lock
            // second looks again (a new statement sees what the first committed), so
            // only one of them is the admin. Taken only while the table looks empty.
            sqlx::query("select pg_advisory_xact_lock($1, 0)")
                .bind(LOCK_FIRST_ADMIN)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            empty = sqlx::query_scalar(is_empty).fetch_one(&mut *tx).await.map_err(map_err)?;
        }
        let invited: bool =
            sqlx::query_scalar("select exists (select 1 from invites where email = $1 and used_at is null)")
                .bind(email)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        let admitted = match admission {
            Admission::Open => true,
            Admission::Closed { domain_allowed } => domain_allowed || invited || empty,
        };
        if !admitted {
            tx.rollback().await.map_err(map_err)?;
            return Ok(Admitted::Refused);
        }
        // Another admission of this address may have committed since the first look:
        // then it made the account, and this one finds it.
        let created: Option<UserRow> = sqlx::query_as(&format!(
            "insert into users (id, email, name, created_at, updated_at, is_admin)
             values ($1, $2, $3, $4, $4, $5)
             on conflict (email) do nothing
             returning {}",
            UserRow::COLUMNS
        ))
        .bind(Uuid::from(UserId::new()))
        .bind(email)
        .bind(name.as_str())
        .bind(now.as_millis())
        .bind(empty)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(row) = created else {
            let row: UserRow =
                sqlx::query_as(&select).bind(email).fetch_one(&mut *tx).await.map_err(map_err)?;
            tx.commit().await.map_err(map_err)?;
            return Ok(Admitted::Existing(row.try_into()?));
        };
        sqlx::query("update invites set used_at = $2 where email = $1 and used_at is null")
            .bind(email)
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Admitted::Created(row.try_into()?))
    }

    pub(crate) async fn would_admit_(&self, email: &Email, admission: Admission) -> StoreResult<bool> {
        let (known, invited, empty): (bool, bool, bool) = sqlx::query_as(
            "select exists (select 1 from users where email = $1),
                    exists (select 1 from invites where email = $1 and used_at is null),
                    not exists (select 1 from users)",
        )
        .bind(email.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(known
            || match admission {
                Admission::Open => true,
                Admission::Closed { domain_allowed } => domain_allowed || invited || empty,
            })
    }

    pub(crate) async fn search_users_by_name_or_address_(
        &self,
        query: &str,
        limit: u32,
    ) -> StoreResult<Vec<User>> {
        // strpos() rather than like: the name is matched literally, `%` and `_` included.
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "select {} from users
             where $1 = '' or strpos(lower(name), lower($1)) > 0 or email = lower(trim($1))
             order by lower(name) collate \"C\", id limit $2",
            UserRow::COLUMNS
        ))
        .bind(query)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub(crate) async fn create_invite_(
        &self,
        email: &Email,
        invited_by: UserId,
        now: Timestamp,
    ) -> StoreResult<(Invite, bool)> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        // A racing invitation of the same address is waited for, then left alone.
        let created = sqlx::query(
            "insert into invites (email, invited_by, created_at) values ($1, $2, $3)
             on conflict (email) do nothing",
        )
        .bind(email.as_str())
        .bind(Uuid::from(invited_by))
        .bind(now.as_millis())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?
        .rows_affected()
            == 1;
        let row: InviteRow =
            sqlx::query_as(&format!("select {} from invites where email = $1", InviteRow::COLUMNS))
                .bind(email.as_str())
                .fetch_one(&mut *conn)
                .await
                .map_err(map_err)?;
        Ok((row.try_into()?, created))
    }

    pub(crate) async fn list_invites_(&self, invited_by: UserId) -> StoreResult<Vec<Invite>> {
        let rows: Vec<InviteRow> = sqlx::query_as(&format!(
            "select {} from invites where invited_by = $1 order by created_at desc, email collate \"C\"",
            InviteRow::COLUMNS
        ))
        .bind(Uuid::from(invited_by))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(Invite::try_from).collect()
    }
}
