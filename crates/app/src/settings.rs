//! A user's own settings (`/me/settings`): only ever the caller's, read and changed.

use std::sync::Arc;

use natter_domain::StoreError;
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::entities::{Settings, SettingsPatch};
use natter_domain::ports::{Clock, Presence, Store};
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::{AppError, AppResult};

pub struct SettingsService {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
}

impl SettingsService {
    pub fn new(
        store: Arc<dyn Store>,
        presence: Arc<dyn Presence>,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { store, presence, bus, clock }
    }

    pub async fn get(&self, who: AuthContext) -> AppResult<Settings> {
        Ok(self.store.get_settings(who.user_id).await?)
    }

    /// Change some of `who`'s settings; the same change again changes nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn update(&self, who: AuthContext, patch: SettingsPatch) -> AppResult<Settings> {
        let before = self.store.get_settings(who.user_id).await?;
        let after = match self.store.update_settings(who.user_id, patch, self.clock.now()).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Err(AppError::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        if before.show_last_seen != after.show_last_seen {
            self.tell_contacts(who).await?;
        }
        Ok(after)
    }

    /// Showing or hiding last seen changes what contacts see of an offline user (an
    /// API client changes it without a socket): their presence is told again, which
    /// every node passes on under the new rule. Online, there is no last seen to show.
    async fn tell_contacts(&self, who: AuthContext) -> AppResult<()> {
        let user = who.user_id;
        if self.presence.online(&[user]).await?.contains(&user) {
            return Ok(());
        }
        let last_seen = self.store.get_user(user).await?.last_seen_at;
        announce(&*self.bus, BusEvent::Presence { user_id: user, online: false, last_seen }).await;
        Ok(())
    }
}
