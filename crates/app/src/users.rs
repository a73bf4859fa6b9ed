//! Reading and editing user profiles, and who sees whose address.

use std::sync::Arc;

use natter_domain::Timestamp;
use natter_domain::chat::Chat;
use natter_domain::entities::User;
use natter_domain::ids::UserId;
use natter_domain::ports::{Clock, Store};
use natter_domain::{DisplayName, StoreError};
use tracing::instrument;

use crate::auth::AuthContext;
use crate::last_seen::LastSeenService;
use crate::{AppError, AppResult};

pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
pub const MAX_SEARCH_LIMIT: u32 = 100;
const MAX_QUERY_CHARS: usize = 100;

/// A user as one viewer may see them. The address is shown only to the user themself,
/// to admins, and to people who share a chat with them; everyone else sees the name.
/// Only this crate decides which, so no handler can show an address by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// The same goes for when they were last seen (`last_seen`): only where
/// `LastSeenService` allows it, and only to contacts.
pub struct Profile {
    user: User,
    email_visible: bool,
    last_seen: Option<Timestamp>,
}

impl Profile {
    pub(crate) fn visible(user: User) -> Self {
        Self { user, email_visible: true, last_seen: None }
    }

    pub(crate) fn name_only(user: User) -> Self {
        Self { user, email_visible: false, last_seen: None }
    }

    pub(crate) fn seen_at(self, last_seen: Option<Timestamp>) -> Self {
        Self { last_seen, ..self }
    }

    /// When the viewer may see that this user was last seen.
    pub fn last_seen(&self) -> Option<Timestamp> {
        self.last_seen
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn email_visible(&self) -> bool {
        self.email_visible
    }

    pub fn into_user(self) -> User {
        self.user
    }
}

pub struct UserService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    last_seen: Arc<LastSeenService>,
}

impl UserService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, last_seen: Arc<LastSeenService>) -> Self {
        Self { store, clock, last_seen }
    }

    pub async fn me(&self, who: AuthContext) -> AppResult<Profile> {
        Ok(Profile::visible(self.load(who.user_id).await?))
    }

    /// Anyone's profile; the address as `Profile` explains.
    pub async fn get(&self, who: AuthContext, id: UserId) -> AppResult<Profile> {
        let user = self.load(id).await?;
        if id == who.user_id {
            return Ok(Profile::visible(user));
        }
        let viewer = self.load(who.user_id).await?;
        let shares_a_chat = self.store.co_member_ids(who.user_id).await?.contains(&id);
        if shares_a_chat {
            // Last seen is for contacts.
            let seen = self.last_seen.visible_to(who.user_id, &[&user]).await?.remove(&id);
            return Ok(Profile::visible(user).seen_at(seen));
        }
        Ok(if viewer.is_admin { Profile::visible(user) } else { Profile::name_only(user) })
    }

    /// A member of `chat`, which the caller `who` already showed it belongs to:
    /// everyone in a chat sees the others' addresses (and last seen, as allowed).
    pub async fn in_chat(&self, who: AuthContext, chat: &Chat, id: UserId) -> AppResult<Profile> {
        let user = self.load(id).await?;
        if !chat.members.contains(&id) {
            return Ok(Profile::name_only(user));
        }
        let seen = self.last_seen.visible_to(who.user_id, &[&user]).await?.remove(&id);
        Ok(Profile::visible(user).seen_at(seen))
    }

    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn rename(&self, who: AuthContext, name: &str) -> AppResult<Profile> {
        let name = DisplayName::parse(name)?;
        let user = self
            .store
            .update_user_name(who.user_id, &name, self.clock.now())
            .await
            .map_err(user_not_found)?;
        Ok(Profile::visible(user))
    }

    /// Users by name. An admin's query also matches any part of an address; anyone
    /// else's matches an address only when it is the whole address, so the search
    /// finds a colleague whose address you know but never lists addresses you do not.
    pub async fn search(
        &self,
        who: AuthContext,
        query: Option<&str>,
        limit: Option<u32>,
    ) -> AppResult<Vec<Profile>> {
        let query = query.unwrap_or_default().trim();
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                message: format!("The search text must be at most {MAX_QUERY_CHARS} characters."),
            });
        }
        let limit = limit.unwrap_or(DEFAULT_SEARCH_LIMIT).clamp(1, MAX_SEARCH_LIMIT);
        let viewer = self.load(who.user_id).await?;
        if viewer.is_admin {
            let found = self.store.search_users(query, limit).await?;
            return Ok(found.into_iter().map(Profile::visible).collect());
        }
        let found = self.store.search_users_by_name_or_address(query, limit).await?;
        let co_members = self.store.co_member_ids(who.user_id).await?;
        let typed = query.to_ascii_lowercase();
        Ok(found
            .into_iter()
            .map(|u| {
                // Typing the whole address reveals nothing the viewer did not know.
                if u.id == who.user_id || co_members.contains(&u.id) || u.email.as_str() == typed {
                    Profile::visible(u)
                } else {
                    Profile::name_only(u)
                }
            })
            .collect())
    }

    async fn load(&self, id: UserId) -> AppResult<User> {
        self.store.get_user(id).await.map_err(user_not_found)
    }
}

fn user_not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::not_found("user_not_found", "No such user."),
        other => other.into(),
    }
}
