//! Group chats in the Store: creation with its first system message, changes under
//! the rules of `group::plan` inside the store's transaction, and a removed member's
//! sends refused as they commit.

use std::sync::Arc;

use natter_domain::StoreError;
use natter_domain::chat::{Chat, ChatRole, FeedKind, MessageKind};
use natter_domain::group::{GroupChange, GroupChanged, NewGroup};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::Store;

use super::at;
use super::store::{feed, text, user};

async fn group(s: &Arc<dyn Store>, owner: UserId, members: &[UserId], client_id: &str) -> GroupChanged {
    s.create_group(NewGroup {
        id: ChatId::new(),
        name: "Launch".into(),
        owner,
        members: members.to_vec(),
        message_id: MessageId::new(),
        client_id: client_id.into(),
        now: at(10),
    })
    .await
    .unwrap()
}

async fn change(
    s: &Arc<dyn Store>,
    chat: &Chat,
    actor: UserId,
    change: GroupChange,
) -> Result<GroupChanged, StoreError> {
    s.change_group(chat.id, actor, change, MessageId::new(), at(20)).await
}

fn refused(r: Result<GroupChanged, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict { constraint }) => constraint,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn a_group_starts_with_its_owner_members_and_a_system_message(s: Arc<dyn Store>) {
    let (ada, bob, cy) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await, user(&s, "cy@x.io").await);
    let made = group(&s, ada, &[bob, cy], "g1").await;
    let chat = made.chat;
    assert!(chat.is_group);
    assert_eq!(chat.name.as_deref(), Some("Launch"));
    assert_eq!(chat.members, vec![ada, bob, cy], "in the order they were named, the owner first");
    assert_eq!(chat.owner, Some(ada));
    assert!(chat.admins.is_empty());
    assert_eq!(chat.last_seq, 1);
    let event = made.event.expect("a new group has its first feed row");
    assert_eq!((event.seq, event.kind), (1, FeedKind::ChatCreated));
    let message = event.message.unwrap();
    assert_eq!((message.kind, message.sender, message.seq), (MessageKind::System, ada, 1));
    let note = message.system_note().unwrap();
    assert_eq!((note.users, note.name.as_deref()), (vec![bob, cy], Some("Launch")));
    assert_eq!(s.get_chat(chat.id).await.unwrap(), chat);
    assert_eq!(feed(&s, chat.id).await, vec![(1, FeedKind::ChatCreated, Some(message.id))]);
    let listed = s.list_chats(bob).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].chat, chat);
    assert_eq!(listed[0].unseen_count, 0, "a notice is not an unread message");
    assert_eq!(listed[0].latest.as_ref().map(|m| m.id), Some(message.id));
    // The same creation again answers the group made then.
    let again = group(&s, ada, &[bob, cy], "g1").await;
    assert!(again.event.is_none());
    assert_eq!(again.chat.id, chat.id);
}

pub async fn managers_change_a_group_and_each_change_is_a_system_message_in_the_feed(s: Arc<dyn Store>) {
    let (ada, bob, cy, dee) = (
        user(&s, "ada@x.io").await,
        user(&s, "bob@x.io").await,
        user(&s, "cy@x.io").await,
        user(&s, "dee@x.io").await,
    );
    let chat = group(&s, ada, &[bob], "g").await.chat;
    assert_eq!(refused(change(&s, &chat, bob, GroupChange::Rename("Mine".into())).await), "not_allowed");
    assert_eq!(refused(change(&s, &chat, bob, GroupChange::Add(vec![cy])).await), "not_allowed");
    assert_eq!(refused(change(&s, &chat, cy, GroupChange::Rename("X".into())).await), "not_a_member");

    let renamed = change(&s, &chat, ada, GroupChange::Rename("Liftoff".into())).await.unwrap();
    assert_eq!(renamed.chat.name.as_deref(), Some("Liftoff"));
    assert_eq!(renamed.event.as_ref().map(|e| (e.seq, e.kind)), Some((2, FeedKind::ChatRenamed)));
    assert!(
        change(&s, &chat, ada, GroupChange::Rename("Liftoff".into())).await.unwrap().event.is_none(),
        "same name"
    );

    let promoted = change(&s, &chat, ada, GroupChange::SetRole(bob, ChatRole::Admin)).await.unwrap();
    assert_eq!(promoted.chat.admins, vec![bob]);
    let added = change(&s, &chat, bob, GroupChange::Add(vec![cy, dee, cy])).await.unwrap();
    assert_eq!(added.chat.members, vec![ada, bob, cy, dee]);
    let note = added.event.as_ref().unwrap().message.as_ref().unwrap().system_note().unwrap();
    assert_eq!((note.kind, note.users), (FeedKind::MemberAdded, vec![cy, dee]));
    assert!(change(&s, &chat, bob, GroupChange::Add(vec![cy])).await.unwrap().event.is_none(), "already in");

    assert_eq!(
        refused(change(&s, &chat, bob, GroupChange::Remove(ada)).await),
        "not_allowed",
        "an admin keeps the owner"
    );
    let removed = change(&s, &chat, bob, GroupChange::Remove(dee)).await.unwrap();
    assert_eq!(removed.chat.members, vec![ada, bob, cy]);
    assert_eq!(removed.event.as_ref().unwrap().removed_users(), vec![dee]);
    assert!(change(&s, &chat, bob, GroupChange::Remove(dee)).await.unwrap().event.is_none(), "already gone");
    assert!(s.list_chats(dee).await.unwrap().is_empty(), "the chat is gone from a removed member's list");

    let kinds: Vec<FeedKind> = feed(&s, chat.id).await.into_iter().map(|(_, k, _)| k).collect();
    assert_eq!(
        kinds,
        vec![
            FeedKind::ChatCreated,
            FeedKind::ChatRenamed,
            FeedKind::MemberRoleChanged,
            FeedKind::MemberAdded,
            FeedKind::MemberRemoved,
        ]
    );
    // Each row carries the chat as it is now.
    let events = s.list_events(chat.id, 0, None, 100).await.unwrap().events;
    assert!(events.iter().all(|e| e.chat.as_ref().is_some_and(|c| c.members == vec![ada, bob, cy])));
}

pub async fn the_owner_leaving_hands_the_group_on(s: Arc<dyn Store>) {
    let (ada, bob, cy) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await, user(&s, "cy@x.io").await);
    let chat = group(&s, ada, &[bob, cy], "g").await.chat;
    change(&s, &chat, ada, GroupChange::SetRole(cy, ChatRole::Admin)).await.unwrap();
    let left = change(&s, &chat, ada, GroupChange::Remove(ada)).await.unwrap();
    assert_eq!(left.chat.owner, Some(cy), "the admin takes over before the longer-standing member");
    assert_eq!(left.chat.members, vec![bob, cy]);
    assert!(left.chat.admins.is_empty());
    let note = left.event.unwrap().message.unwrap().system_note().unwrap();
    assert_eq!((note.users, note.new_owner), (vec![ada], Some(cy)));
    let left = change(&s, &left.chat, cy, GroupChange::Remove(cy)).await.unwrap();
    assert_eq!(left.chat.owner, Some(bob));
}

pub async fn a_removed_member_cannot_send_and_sends_name_the_members_as_they_commit(s: Arc<dyn Store>) {
    let (ada, bob, cy) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await, user(&s, "cy@x.io").await);
    let chat = group(&s, ada, &[bob, cy], "g").await.chat;
    let stored = s.insert_message(text(chat.id, bob, "b1", 30)).await.unwrap();
    assert_eq!(
        stored.members.map(|mut m| {
            m.sort();
            m
        }),
        Some({
            let mut v = vec![ada, bob, cy];
            v.sort();
            v
        })
    );
    change(&s, &chat, ada, GroupChange::Remove(bob)).await.unwrap();
    let seq = s.get_chat(chat.id).await.unwrap().last_seq;
    match s.insert_message(text(chat.id, bob, "b2", 40)).await {
        Err(StoreError::Conflict { constraint }) => assert_eq!(constraint, "not_a_member"),
        other => panic!("a removed member's send must be refused, got {other:?}"),
    }
    assert_eq!(s.get_chat(chat.id).await.unwrap().last_seq, seq, "a refused send takes no seq");
    // A 1:1 chat's members are not read on every send.
    let direct = s.get_or_create_direct_chat(ada, cy, at(0)).await.unwrap().0;
    assert!(s.insert_message(text(direct.id, ada, "d1", 50)).await.unwrap().members.is_none());
}

pub async fn a_direct_chat_is_no_group_to_change(s: Arc<dyn Store>) {
    let (ada, bob, cy) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await, user(&s, "cy@x.io").await);
    let direct = s.get_or_create_direct_chat(ada, bob, at(0)).await.unwrap().0;
    assert_eq!(refused(change(&s, &direct, ada, GroupChange::Add(vec![cy])).await), "not_a_member");
    assert!(matches!(
        s.change_group(ChatId::new(), ada, GroupChange::Rename("X".into()), MessageId::new(), at(1)).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn search_skips_a_groups_notices_and_a_removed_member_finds_nothing_of_it(s: Arc<dyn Store>) {
    use natter_domain::search::SearchQuery;
    let (ada, bob) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await);
    let chat = group(&s, ada, &[bob], "g").await.chat;
    s.insert_message(text(chat.id, bob, "launch plan", 30)).await.unwrap();
    let find = |who: UserId, q: &'static str| {
        let s = s.clone();
        async move {
            let found = s.search_messages(who, &SearchQuery::parse(q), None, None, 50).await.unwrap();
            found.into_iter().map(|m| m.kind).collect::<Vec<_>>()
        }
    };
    // The notice's note names the group "Launch" and says "chat.created": neither is found.
    assert_eq!(find(bob, "launch").await, vec![MessageKind::Text]);
    assert!(find(bob, "created").await.is_empty());
    change(&s, &chat, ada, GroupChange::Remove(bob)).await.unwrap();
    assert!(find(bob, "launch").await.is_empty(), "a removed member finds nothing of the group");
    assert_eq!(find(ada, "launch").await.len(), 1);
}

pub async fn mentions_are_kept_and_counted_for_the_mentioned_until_read_or_deleted(s: Arc<dyn Store>) {
    let (ada, bob, cy) = (user(&s, "ada@x.io").await, user(&s, "bob@x.io").await, user(&s, "cy@x.io").await);
    let chat = group(&s, ada, &[bob, cy], "g").await.chat;
    let mut m = text(chat.id, ada, "m1", 30);
    m.mentions = vec![bob];
    let stored = s.insert_message(m).await.unwrap().message;
    assert_eq!(stored.mentions, vec![bob]);
    assert_eq!(s.get_message(stored.id).await.unwrap().mentions, vec![bob]);
    s.insert_message(text(chat.id, ada, "m2", 31)).await.unwrap();
    let counts = |who: UserId| {
        let s = s.clone();
        async move {
            let row = s.list_chats(who).await.unwrap().remove(0);
            (row.unseen_count, row.mention_count)
        }
    };
    assert_eq!(counts(bob).await, (2, 1));
    assert_eq!(counts(cy).await, (2, 0));
    s.delete_message(stored.id, ada, at(40)).await.unwrap();
    assert_eq!(counts(bob).await, (1, 0), "a deleted mention is no longer counted");
    assert!(s.get_message(stored.id).await.unwrap().mentions.is_empty(), "and is gone from the tombstone");
    let mut again = text(chat.id, ada, "m3", 50);
    again.mentions = vec![bob];
    let again = s.insert_message(again).await.unwrap().message;
    s.mark_read(chat.id, bob, again.seq, at(60)).await.unwrap();
    assert_eq!(counts(bob).await, (0, 0));
}
