//! Group chats: who may change a group and what each change does. Pure rules, applied
//! by each store inside the transaction that makes the change, to the chat as that
//! transaction sees it: two admins acting at once never both win a race.

use crate::Timestamp;
use crate::chat::{Chat, ChatRole, FeedEvent, FeedKind, SystemNote};
use crate::ids::{ChatId, MessageId, UserId};

/// The longest group name, in characters.
pub const MAX_GROUP_NAME_CHARS: usize = 80;
/// The most members a group has, its owner included.
pub const MAX_GROUP_MEMBERS: usize = 256;

/// Why a change of a group was refused. Stores answer it as
/// `StoreError::Conflict { constraint: refusal.code() }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRefusal {
    /// The actor is not in the group (or it is not a group).
    NotAMember,
    /// The actor's role does not allow it.
    NotAllowed,
    /// The group would pass `MAX_GROUP_MEMBERS`.
    TooManyMembers,
    /// The change is about someone who is not in the group.
    NotInGroup,
}

impl GroupRefusal {
    pub const ALL: [GroupRefusal; 4] = [
        GroupRefusal::NotAMember,
        GroupRefusal::NotAllowed,
        GroupRefusal::TooManyMembers,
        GroupRefusal::NotInGroup,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GroupRefusal::NotAMember => "not_a_member",
            GroupRefusal::NotAllowed => "not_allowed",
            GroupRefusal::TooManyMembers => "too_many_members",
            GroupRefusal::NotInGroup => "not_in_group",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A group to create, its members known to exist.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub id: ChatId,
    pub name: String,
    pub owner: UserId,
    /// The others, in the order they were named, the owner not among them.
    pub members: Vec<UserId>,
    /// Its first message, the system message that says it was created.
    pub message_id: MessageId,
    /// The owner's idempotency key for the creation.
    pub client_id: String,
    pub now: Timestamp,
}

/// What creating or changing a group wrote: the chat as it is now, and the feed row
/// (with its system message), or none when nothing changed.
#[derive(Debug, Clone)]
pub struct GroupChanged {
    pub chat: Chat,
    pub event: Option<FeedEvent>,
}

/// A change someone asks of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    /// A new name, already trimmed and checked.
    Rename(String),
    /// Add these users (already known to exist).
    Add(Vec<UserId>),
    /// Remove this member; the actor themselves means they leave.
    Remove(UserId),
    /// Make a member an admin or a plain member again.
    SetRole(UserId, ChatRole),
}

/// What a change does, decided from the chat as it is: the store writes exactly this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    /// The system message's note, whose `kind` is the feed row's.
    pub note: SystemNote,
    pub rename: Option<String>,
    pub add: Vec<UserId>,
    pub remove: Option<UserId>,
    /// `(member, role)` to set: the role change asked for, or the new owner when the
    /// owner left.
    pub set_role: Option<(UserId, ChatRole)>,
}

/// What `change` by `actor` does to `chat`: `Ok(None)` when it changes nothing (the
/// same name, members already there, someone already gone, a role they have), so a
/// retried request writes nothing twice.
///
/// The rules: any member leaves; the owner and admins rename, add and remove members;
/// an admin cannot remove the owner or another admin; only the owner gives or takes
/// the admin role; the owner leaving hands ownership to the longest-standing admin,
/// or else member; the last member leaving leaves an empty group.
pub fn plan(chat: &Chat, actor: UserId, change: &GroupChange) -> Result<Option<GroupPlan>, GroupRefusal> {
    let Some(actor_role) = chat.is_group.then(|| chat.role_of(actor)).flatten() else {
        return Err(GroupRefusal::NotAMember);
    };
    let manages = matches!(actor_role, ChatRole::Owner | ChatRole::Admin);
    let note = |kind: FeedKind, users: Vec<UserId>| SystemNote {
        kind,
        users,
        name: None,
        role: None,
        new_owner: None,
    };
    let nothing = GroupPlan {
        note: note(FeedKind::ChatRenamed, Vec::new()),
        rename: None,
        add: Vec::new(),
        remove: None,
        set_role: None,
    };
    match change {
        GroupChange::Rename(name) => {
            if !manages {
                return Err(GroupRefusal::NotAllowed);
            }
            if chat.name.as_deref() == Some(name.as_str()) {
                return Ok(None);
            }
            let note = SystemNote { name: Some(name.clone()), ..note(FeedKind::ChatRenamed, Vec::new()) };
            Ok(Some(GroupPlan { note, rename: Some(name.clone()), ..nothing }))
        }
        GroupChange::Add(users) => {
            if !manages {
                return Err(GroupRefusal::NotAllowed);
            }
            let mut add: Vec<UserId> = Vec::new();
            for u in users {
                if !chat.members.contains(u) && !add.contains(u) {
                    add.push(*u);
                }
            }
            if add.is_empty() {
                return Ok(None);
            }
            if chat.members.len() + add.len() > MAX_GROUP_MEMBERS {
                return Err(GroupRefusal::TooManyMembers);
            }
            Ok(Some(GroupPlan { note: note(FeedKind::MemberAdded, add.clone()), add, ..nothing }))
        }
        GroupChange::Remove(user) => {
            let Some(role) = chat.role_of(*user) else { return Ok(None) };
            let leaving = *user == actor;
            let allowed = leaving
                || match actor_role {
                    ChatRole::Owner => true,
                    ChatRole::Admin => role == ChatRole::Member,
                    ChatRole::Member => false,
                };
            if !allowed {
                return Err(GroupRefusal::NotAllowed);
            }
            let mut plan = GroupPlan {
                note: note(FeedKind::MemberRemoved, vec![*user]),
                remove: Some(*user),
                ..nothing
            };
            if role == ChatRole::Owner {
                // Members are in the order they joined: the longest-standing admin,
                // or else member, takes over.
                let heir =
                    chat.admins.first().copied().or_else(|| chat.members.iter().copied().find(|m| m != user));
                if let Some(heir) = heir {
                    plan.note.new_owner = Some(heir);
                    plan.set_role = Some((heir, ChatRole::Owner));
                }
            }
            Ok(Some(plan))
        }
        GroupChange::SetRole(user, role) => {
            if actor_role != ChatRole::Owner {
                return Err(GroupRefusal::NotAllowed);
            }
            let Some(current) = chat.role_of(*user) else { return Err(GroupRefusal::NotInGroup) };
            if current == ChatRole::Owner || *role == ChatRole::Owner {
                // Ownership moves only when its owner leaves.
                return Err(GroupRefusal::NotAllowed);
            }
            if current == *role {
                return Ok(None);
            }
            let note = SystemNote { role: Some(*role), ..note(FeedKind::MemberRoleChanged, vec![*user]) };
            Ok(Some(GroupPlan { note, set_role: Some((*user, *role)), ..nothing }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(owner: UserId, admins: &[UserId], members: &[UserId]) -> Chat {
        let mut all = vec![owner];
        all.extend_from_slice(admins);
        all.extend_from_slice(members);
        Chat {
            id: ChatId::new(),
            is_group: true,
            name: Some("Team".into()),
            members: all,
            owner: Some(owner),
            admins: admins.to_vec(),
            last_seq: 1,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn members_leave_but_only_managers_rename_add_and_remove() {
        let (o, a, m, n) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        let chat = group(o, &[a], &[m]);
        assert_eq!(plan(&chat, m, &GroupChange::Rename("X".into())), Err(GroupRefusal::NotAllowed));
        assert_eq!(plan(&chat, m, &GroupChange::Add(vec![n])), Err(GroupRefusal::NotAllowed));
        assert_eq!(plan(&chat, m, &GroupChange::Remove(a)), Err(GroupRefusal::NotAllowed));
        assert!(plan(&chat, m, &GroupChange::Remove(m)).unwrap().is_some());
        assert!(plan(&chat, a, &GroupChange::Remove(m)).unwrap().is_some());
        assert_eq!(plan(&chat, a, &GroupChange::Remove(o)), Err(GroupRefusal::NotAllowed));
        assert!(plan(&chat, o, &GroupChange::Remove(a)).unwrap().is_some());
        assert_eq!(plan(&chat, n, &GroupChange::Remove(n)), Err(GroupRefusal::NotAMember));
    }

    #[test]
    fn what_is_already_so_changes_nothing() {
        let (o, m, n) = (UserId::new(), UserId::new(), UserId::new());
        let chat = group(o, &[], &[m]);
        assert_eq!(plan(&chat, o, &GroupChange::Rename("Team".into())), Ok(None));
        assert_eq!(plan(&chat, o, &GroupChange::Add(vec![m])), Ok(None));
        assert_eq!(plan(&chat, o, &GroupChange::Remove(n)), Ok(None));
        assert_eq!(plan(&chat, o, &GroupChange::SetRole(m, ChatRole::Member)), Ok(None));
    }

    #[test]
    fn the_owner_leaving_hands_the_group_to_the_first_admin_or_else_member() {
        let (o, a, m) = (UserId::new(), UserId::new(), UserId::new());
        let with_admin = plan(&group(o, &[a], &[m]), o, &GroupChange::Remove(o)).unwrap().unwrap();
        assert_eq!(with_admin.set_role, Some((a, ChatRole::Owner)));
        assert_eq!(with_admin.note.new_owner, Some(a));
        let members_only = plan(&group(o, &[], &[m]), o, &GroupChange::Remove(o)).unwrap().unwrap();
        assert_eq!(members_only.set_role, Some((m, ChatRole::Owner)));
        let alone = plan(&group(o, &[], &[]), o, &GroupChange::Remove(o)).unwrap().unwrap();
        assert_eq!(alone.set_role, None);
    }

    #[test]
    fn only_the_owner_gives_roles_and_ownership_is_not_given() {
        let (o, a, m) = (UserId::new(), UserId::new(), UserId::new());
        let chat = group(o, &[a], &[m]);
        assert_eq!(plan(&chat, a, &GroupChange::SetRole(m, ChatRole::Admin)), Err(GroupRefusal::NotAllowed));
        assert_eq!(plan(&chat, o, &GroupChange::SetRole(m, ChatRole::Owner)), Err(GroupRefusal::NotAllowed));
        assert_eq!(
            plan(&chat, o, &GroupChange::SetRole(UserId::new(), ChatRole::Admin)),
            Err(GroupRefusal::NotInGroup)
        );
        let p = plan(&chat, o, &GroupChange::SetRole(m, ChatRole::Admin)).unwrap().unwrap();
        assert_eq!(p.note.kind, FeedKind::MemberRoleChanged);
    }

    #[test]
    fn a_group_never_passes_its_size() {
        let o = UserId::new();
        let members: Vec<UserId> = (1..MAX_GROUP_MEMBERS).map(|_| UserId::new()).collect();
        let chat = group(o, &[], &members);
        assert_eq!(plan(&chat, o, &GroupChange::Add(vec![UserId::new()])), Err(GroupRefusal::TooManyMembers));
    }

    #[test]
    fn a_direct_chat_is_no_group() {
        let (a, b) = (UserId::new(), UserId::new());
        let mut chat = group(a, &[], &[b]);
        chat.is_group = false;
        assert_eq!(plan(&chat, a, &GroupChange::Rename("X".into())), Err(GroupRefusal::NotAMember));
    }
}
