//! Who sees when whom was last seen. A contact's last seen (the moment their last
//! socket closed) is shown while they are offline, unless they hide it, or the viewer
//! hides their own (reciprocal: hiding yours hides everyone's from you), or either
//! blocked the other. Online or offline itself stays visible (blocks aside).

use std::collections::HashMap;
use std::sync::Arc;

use natter_domain::Timestamp;
use natter_domain::entities::User;
use natter_domain::ids::UserId;
use natter_domain::ports::{Presence, Store};

use crate::AppResult;
use crate::blocks::BlockService;

pub struct LastSeenService {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
    blocks: Arc<BlockService>,
}

impl LastSeenService {
    pub fn new(store: Arc<dyn Store>, presence: Arc<dyn Presence>, blocks: Arc<BlockService>) -> Self {
        Self { store, presence, blocks }
    }

    /// The last seen of each of `users` that `viewer` may see now (the others are
    /// absent): one read of settings and one of presence, whatever the count.
    pub async fn visible_to(&self, viewer: UserId, users: &[&User]) -> AppResult<HashMap<UserId, Timestamp>> {
        let blocks = self.blocks.of(viewer).await?;
        let candidates: Vec<(UserId, Timestamp)> = users
            .iter()
            .filter(|u| u.id != viewer && !blocks.apart_from(u.id))
            .filter_map(|u| u.last_seen_at.map(|at| (u.id, at)))
            .collect();
        if candidates.is_empty() {
            return Ok(HashMap::new());
        }
        let mut asked: Vec<UserId> = candidates.iter().map(|(id, _)| *id).collect();
        asked.push(viewer);
        let hidden = self.store.last_seen_hidden(&asked).await?;
        if hidden.contains(&viewer) {
            return Ok(HashMap::new());
        }
        let shown: Vec<(UserId, Timestamp)> =
            candidates.into_iter().filter(|(id, _)| !hidden.contains(id)).collect();
        let ids: Vec<UserId> = shown.iter().map(|(id, _)| *id).collect();
        let online = self.presence.online(&ids).await?;
        Ok(shown.into_iter().filter(|(id, _)| !online.contains(id)).collect())
    }

    /// What `viewer` may see of `subject`'s presence now: whether they are online and
    /// since when they are not. Someone kept apart by a block looks offline, unseen.
    pub async fn presence_for(
        &self,
        viewer: UserId,
        subject: UserId,
    ) -> AppResult<(bool, Option<Timestamp>)> {
        if self.blocks.apart(viewer, subject).await? {
            return Ok((false, None));
        }
        let online = self.presence.online(&[subject]).await?.contains(&subject);
        if online {
            return Ok((true, None));
        }
        let user = self.store.get_user(subject).await?;
        Ok((false, self.visible_to(viewer, &[&user]).await?.remove(&subject)))
    }

    /// Of an offline `subject` last seen at `at`, what each of `viewers` may see: the
    /// time for those allowed, `None` for the others (one read of settings). Blocks
    /// are the caller's to check: it decides whether a viewer hears of it at all.
    pub async fn offline_for(
        &self,
        subject: UserId,
        at: Option<Timestamp>,
        viewers: &[UserId],
    ) -> AppResult<HashMap<UserId, Option<Timestamp>>> {
        let Some(at) = at else { return Ok(viewers.iter().map(|v| (*v, None)).collect()) };
        let mut asked = viewers.to_vec();
        asked.push(subject);
        let hidden = self.store.last_seen_hidden(&asked).await?;
        let subject_hides = hidden.contains(&subject);
        Ok(viewers.iter().map(|v| (*v, (!subject_hides && !hidden.contains(v)).then_some(at))).collect())
    }
}
