//! Group chats: creating one, renaming it, adding and removing members (or leaving),
//! and giving the admin role. The rules are `group::plan`'s, applied by the store in
//! the transaction that makes the change; each change is a system message with a feed
//! row of its own, announced once committed with everyone who must hear of it (a
//! removed member included, so their clients drop the chat). Safe to retry: what is
//! already so changes nothing, and a creation carries the owner's `clientId`.

use std::time::Duration;

use natter_domain::StoreError;
use natter_domain::bus::BusEvent;
use natter_domain::chat::{Chat, ChatRole, MAX_CLIENT_ID_LEN};
use natter_domain::group::{
    GroupChange, GroupChanged, GroupRefusal, MAX_GROUP_MEMBERS, MAX_GROUP_NAME_CHARS, NewGroup,
};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::{Decision, Rate};
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::chats::ChatService;
use crate::{AppError, AppResult};

/// How often one user may create or change groups: enough for a person setting up a
/// team, and a ceiling for a script.
pub const GROUP_CHANGE_RATES: [Rate; 2] =
    [Rate::per(20, Duration::from_secs(60)), Rate::per(200, Duration::from_secs(3600))];

impl ChatService {
    /// A new group named `name` with `who` as its owner and `user_ids` as members.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn create_group(
        &self,
        who: AuthContext,
        name: Option<&str>,
        user_ids: &[String],
        client_id: Option<&str>,
    ) -> AppResult<Chat> {
        let name = group_name(name)?;
        let mut members = self.existing_users(user_ids).await?;
        members.retain(|u| *u != who.user_id);
        if members.len() + 1 > MAX_GROUP_MEMBERS {
            return Err(refused(GroupRefusal::TooManyMembers));
        }
        let client_id = match client_id.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c)
                if c.len() <= MAX_CLIENT_ID_LEN
                    && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                c.to_owned()
            }
            Some(_) => {
                return Err(AppError::BadRequest {
                    code: "invalid_client_id",
                    message: format!("clientId must be 1-{MAX_CLIENT_ID_LEN} letters, digits, '-' or '_'."),
                });
            }
            None => MessageId::new().to_string(),
        };
        self.limit_group_changes(who).await?;
        let group = NewGroup {
            id: ChatId::new(),
            name,
            owner: who.user_id,
            members,
            message_id: MessageId::new(),
            client_id,
            now: self.clock().now(),
        };
        let changed = self.store().create_group(group).await.map_err(|e| match e {
            StoreError::Conflict { .. } => AppError::BadRequest {
                code: "client_id_reused",
                message: "This clientId was already used for a message.".into(),
            },
            other => other.into(),
        })?;
        Ok(self.announce_group(changed).await)
    }

    /// Rename a group `who` manages.
    pub async fn rename(&self, who: AuthContext, chat_id: &str, name: Option<&str>) -> AppResult<Chat> {
        let name = group_name(name)?;
        self.change(who, chat_id, GroupChange::Rename(name)).await
    }

    /// Add members to a group `who` manages; those already in it stay as they are.
    pub async fn add_members(&self, who: AuthContext, chat_id: &str, user_ids: &[String]) -> AppResult<Chat> {
        let users = self.existing_users(user_ids).await?;
        self.change(who, chat_id, GroupChange::Add(users)).await
    }

    /// Remove `user_id` from a group, or leave it when it is `who`.
    pub async fn remove_member(&self, who: AuthContext, chat_id: &str, user_id: &str) -> AppResult<()> {
        let user: UserId = user_id.trim().parse().map_err(|_| invalid_user())?;
        self.change(who, chat_id, GroupChange::Remove(user)).await.map(drop)
    }

    /// Make a member of a group `who` owns an admin, or a plain member again.
    pub async fn set_role(
        &self,
        who: AuthContext,
        chat_id: &str,
        user_id: &str,
        role: &str,
    ) -> AppResult<Chat> {
        let user: UserId = user_id.trim().parse().map_err(|_| invalid_user())?;
        let role = match ChatRole::parse(role.trim()) {
            Some(r @ (ChatRole::Admin | ChatRole::Member)) => r,
            _ => {
                return Err(AppError::BadRequest {
                    code: "invalid_role",
                    message: "role is \"admin\" or \"member\".".into(),
                });
            }
        };
        self.change(who, chat_id, GroupChange::SetRole(user, role)).await
    }

    async fn change(&self, who: AuthContext, chat_id: &str, change: GroupChange) -> AppResult<Chat> {
        let chat = self.require_member(who, chat_id).await?;
        if !chat.is_group {
            return Err(AppError::BadRequest {
                code: "not_a_group",
                message: "A 1:1 chat has no members to change.".into(),
            });
        }
        self.limit_group_changes(who).await?;
        let now = self.clock().now();
        let changed =
            match self.store().change_group(chat.id, who.user_id, change, MessageId::new(), now).await {
                Ok(c) => c,
                Err(StoreError::Conflict { constraint }) => {
                    return Err(GroupRefusal::from_code(&constraint).map(refused).unwrap_or_else(|| {
                        AppError::Unexpected(anyhow::anyhow!("unexpected conflict on {constraint}"))
                    }));
                }
                Err(StoreError::NotFound) => {
                    return Err(AppError::not_found("chat_not_found", "No such chat."));
                }
                Err(e) => return Err(e.into()),
            };
        Ok(self.announce_group(changed).await)
    }

    /// Announce what a creation or change wrote, to the members it has now and to
    /// whoever it removed; forget this node's copy of its members at once (the other
    /// nodes do when the event reaches them).
    async fn announce_group(&self, changed: GroupChanged) -> Chat {
        self.forget(changed.chat.id);
        if let Some(event) = changed.event {
            let mut members = changed.chat.members.clone();
            members.extend(event.removed_users().into_iter().filter(|u| !changed.chat.members.contains(u)));
            announce(&**self.bus(), BusEvent::Feed { event, members }).await;
        }
        changed.chat
    }

    /// The users named, each once, all of whom must exist.
    async fn existing_users(&self, raw: &[String]) -> AppResult<Vec<UserId>> {
        if raw.len() > MAX_GROUP_MEMBERS {
            return Err(refused(GroupRefusal::TooManyMembers));
        }
        let mut ids: Vec<UserId> = Vec::with_capacity(raw.len());
        for r in raw {
            let id: UserId = r.trim().parse().map_err(|_| invalid_user())?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            return Err(AppError::BadRequest {
                code: "invalid_user",
                message: "Name at least one user.".into(),
            });
        }
        let found = self.store().get_users(&ids).await?;
        if found.len() != ids.len() {
            return Err(invalid_user());
        }
        Ok(ids)
    }

    async fn limit_group_changes(&self, who: AuthContext) -> AppResult<()> {
        let key = format!("group:user:{}", who.user_id);
        if let Decision::Limited { retry_after } =
            self.limiter().hit(&key, &GROUP_CHANGE_RATES, self.clock().now()).await?
        {
            return Err(AppError::RateLimited {
                code: "rate_limited",
                message: "You are changing groups too fast. Slow down a little.".into(),
                retry_after,
            });
        }
        Ok(())
    }
}

/// A group's name as given: trimmed, 1-80 characters, no control characters.
fn group_name(raw: Option<&str>) -> AppResult<String> {
    let name = raw.unwrap_or_default().trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_GROUP_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest {
            code: "invalid_name",
            message: format!("A group's name is 1-{MAX_GROUP_NAME_CHARS} characters."),
        });
    }
    Ok(name.to_owned())
}

fn invalid_user() -> AppError {
    AppError::BadRequest {
        code: "invalid_user",
        message: "Every user named must be a registered user.".into(),
    }
}

fn refused(r: GroupRefusal) -> AppError {
    match r {
        GroupRefusal::NotAMember => crate::chats::not_a_member(),
        GroupRefusal::NotAllowed => AppError::Forbidden {
            code: "not_allowed",
            message:
                "Only the group's owner and admins can do that (and only its owner can change an admin)."
                    .into(),
        },
        GroupRefusal::TooManyMembers => AppError::BadRequest {
            code: "too_many_members",
            message: format!("A group has at most {MAX_GROUP_MEMBERS} members."),
        },
        GroupRefusal::NotInGroup => {
            AppError::BadRequest { code: "not_in_group", message: "That user is not in this group.".into() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_name_is_trimmed_and_bounded() {
        assert_eq!(group_name(Some("  Team  ")).unwrap(), "Team");
        assert!(group_name(Some("")).is_err());
        assert!(group_name(Some("   ")).is_err());
        assert!(group_name(None).is_err());
        assert!(group_name(Some(&"é".repeat(MAX_GROUP_NAME_CHARS))).is_ok());
        assert!(group_name(Some(&"é".repeat(MAX_GROUP_NAME_CHARS + 1))).is_err());
        assert!(group_name(Some("a\u{0}b")).is_err());
    }
}
