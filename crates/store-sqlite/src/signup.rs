//! Who may join on SQLite: admitting a verified address, invitations, and the user
//! search that does not reveal addresses.

use natter_domain::entities::{Admission, Admitted, Invite, User};
use natter_domain::ids::UserId;
use natter_domain::ports::StoreResult;
use natter_domain::{DisplayName, Email, Timestamp};
use rusqlite::{OptionalExtension, params};

use crate::SqliteStore;
use crate::rows::{InviteRow, UserRow, map_err};
use crate::writer::map_err as w;

impl SqliteStore {
    pub(crate) async fn admit_user_(
        &self,
        email: &Email,
        name: &DisplayName,
        admission: Admission,
        now: Timestamp,
    ) -> StoreResult<Admitted> {
        let (email, name) = (email.as_str().to_owned(), name.as_str().to_owned());
        let select = format!("select {} from users where email = ?1", UserRow::COLUMNS);
        // One write transaction on the one writer: "is the table empty" and the insert
        // cannot interleave with another admission, so only one first account exists.
        let outcome = self
            .writer
            .run(move |conn| {
                let existing = conn
                    .prepare_cached(&select)
                    .and_then(|mut s| s.query_row(params![email], UserRow::read).optional())
                    .map_err(w)?;
                if let Some(row) = existing {
                    return Ok(Some((row, false)));
                }
                let empty: bool = conn
                    .prepare_cached("select not exists (select 1 from users)")
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(w)?;
                let invited: bool = conn
                    .prepare_cached(
                        "select exists (select 1 from invites where email = ?1 and used_at is null)",
                    )
                    .and_then(|mut s| s.query_row(params![email], |r| r.get(0)))
                    .map_err(w)?;
                let admitted = match admission {
                    Admission::Open => true,
                    Admission::Closed { domain_allowed } => domain_allowed || invited || empty,
                };
                if !admitted {
                    return Ok(None);
                }
                conn.prepare_cached(
                    "insert into users (id, email, name, created_at, updated_at, is_admin)
                     values (?1, ?2, ?3, ?4, ?4, ?5)",
                )
                .and_then(|mut s| {
                    s.execute(params![UserId::new().to_string(), email, name, now.as_millis(), empty])
                })
                .map_err(w)?;
                conn.prepare_cached("update invites set used_at = ?2 where email = ?1 and used_at is null")
                    .and_then(|mut s| s.execute(params![email, now.as_millis()]))
                    .map_err(w)?;
                let row =
                    conn.prepare_cached(&select).and_then(|mut s| s.query_row(params![email], UserRow::read));
                Ok(Some((row.map_err(w)?, true)))
            })
            .await?;
        Ok(match outcome {
            None => Admitted::Refused,
            Some((row, true)) => Admitted::Created(row.try_into()?),
            Some((row, false)) => Admitted::Existing(row.try_into()?),
        })
    }

    pub(crate) async fn would_admit_(&self, email: &Email, admission: Admission) -> StoreResult<bool> {
        let (known, invited, empty): (bool, bool, bool) = sqlx::query_as(
            "select exists (select 1 from users where email = ?1),
                    exists (select 1 from invites where email = ?1 and used_at is null),
                    not exists (select 1 from users)",
        )
        .bind(email.as_str())
        .fetch_one(&self.reader)
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
        // instr() rather than like: the name is matched literally, `%` and `_` included.
        let rows: Vec<UserRow> = sqlx::query_as(
            "select * from users
             where ?1 = '' or instr(lower(name), lower(?1)) > 0 or email = lower(trim(?1))
             order by lower(name), id limit ?2",
        )
        .bind(query)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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
        let email = email.as_str().to_owned();
        let (row, created) = self
            .writer
            .run(move |conn| {
                let created = conn
                    .prepare_cached(
                        "insert into invites (email, invited_by, created_at) values (?1, ?2, ?3)
                         on conflict (email) do nothing",
                    )
                    .and_then(|mut s| s.execute(params![email, invited_by.to_string(), now.as_millis()]))
                    .map_err(w)?
                    == 1;
                let row = conn
                    .prepare_cached(&format!("select {} from invites where email = ?1", InviteRow::COLUMNS))
                    .and_then(|mut s| s.query_row(params![email], InviteRow::read))
                    .map_err(w)?;
                Ok((row, created))
            })
            .await?;
        Ok((row.try_into()?, created))
    }

    pub(crate) async fn list_invites_(&self, invited_by: UserId) -> StoreResult<Vec<Invite>> {
        let rows: Vec<InviteRow> = sqlx::query_as(&format!(
            "select {} from invites where invited_by = ?1 order by created_at desc, email",
            InviteRow::COLUMNS
        ))
        .bind(invited_by.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(Invite::try_from).collect()
    }
}
