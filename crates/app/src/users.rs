//! Reading and editing user profiles.

use std::sync::Arc;

use natter_domain::entities::User;
use natter_domain::ids::UserId;
use natter_domain::ports::{Clock, Store};
use natter_domain::{DisplayName, StoreError};
use tracing::instrument;

use crate::auth::AuthContext;
use crate::{AppError, AppResult};

pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
pub const MAX_SEARCH_LIMIT: u32 = 100;
const MAX_QUERY_CHARS: usize = 100;

pub struct UserService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl UserService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub async fn me(&self, who: AuthContext) -> AppResult<User> {
        self.get(who.user_id).await
    }

    pub async fn get(&self, id: UserId) -> AppResult<User> {
        self.store.get_user(id).await.map_err(user_not_found)
    }

    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn rename(&self, who: AuthContext, name: &str) -> AppResult<User> {
        let name = DisplayName::parse(name)?;
        self.store.update_user_name(who.user_id, &name, self.clock.now()).await.map_err(user_not_found)
    }

    pub async fn search(&self, query: Option<&str>, limit: Option<u32>) -> AppResult<Vec<User>> {
        let query = query.unwrap_or_default().trim();
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                message: format!("The search text must be at most {MAX_QUERY_CHARS} characters."),
            });
        }
        let limit = limit.unwrap_or(DEFAULT_SEARCH_LIMIT).clamp(1, MAX_SEARCH_LIMIT);
        Ok(self.store.search_users(query, limit).await?)
    }
}

fn user_not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::not_found("user_not_found", "No such user."),
        other => other.into(),
    }
}
