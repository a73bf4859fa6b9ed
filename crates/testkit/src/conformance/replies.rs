//! Replies and the pages around a message: every message a store returns carries the
//! preview of the message it answers, as that message is now; `Around` pages centre
//! on a seq.

use std::sync::Arc;

use natter_domain::chat::{Message, MessageKind, NewMessage, PageCursor, ReplyPreview};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::Store;

use super::at;
use super::store::{direct_chat, page, send, user};

async fn say(
    s: &Arc<dyn Store>,
    chat: ChatId,
    sender: UserId,
    text: &str,
    reply_to: Option<MessageId>,
) -> Message {
    let stored = s
        .insert_message(NewMessage {
            id: MessageId::new(),
            chat_id: chat,
            sender,
            client_id: format!("c-{}", MessageId::new()),
            kind: MessageKind::Text,
            text: text.into(),
            image: None,
            reply_to,
            mentions: Vec::new(),
            created_at: at(10),
            notify: None,
        })
        .await
        .unwrap();
    stored.message
}

/// The preview of `reply` in every way a store returns it: get, page, feed.
async fn previews(s: &Arc<dyn Store>, chat: ChatId, reply: MessageId) -> [Option<ReplyPreview>; 3] {
    let got = s.get_message(reply).await.unwrap().reply_preview;
    let paged = s.list_messages(chat, PageCursor::Latest, 50).await.unwrap().messages;
    let paged = paged.into_iter().find(|m| m.id == reply).unwrap().reply_preview;
    let feed = s.list_events(chat, 0, None, 100).await.unwrap().events;
    let fed = feed.into_iter().filter_map(|e| e.message).find(|m| m.id == reply).unwrap().reply_preview;
    [got, paged, fed]
}

pub async fn a_reply_carries_its_parents_first_line_as_it_is_now(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let long = format!("\n  {}  \nsecond line", "é".repeat(200));
    let parent = say(&s, ab, a, &long, None).await;
    assert_eq!(parent.reply_preview, None, "no reply, no preview");
    let reply = say(&s, ab, b, "answer", Some(parent.id)).await;
    let first_line = format!("{}…", "é".repeat(139));
    let want = ReplyPreview {
        id: parent.id,
        seq: 1,
        sender: a,
        kind: MessageKind::Text,
        text: first_line,
        deleted: false,
    };
    assert_eq!(reply.reply_preview.as_ref(), Some(&want), "the insert answers it");
    assert_eq!(previews(&s, ab, reply.id).await, [Some(want.clone()), Some(want.clone()), Some(want)]);

    // An edit shows; so do a delete and the changes of the reply itself.
    s.edit_message(parent.id, "short now\nand more".into(), at(20)).await.unwrap();
    let edited = previews(&s, ab, reply.id).await;
    assert!(edited.iter().all(|p| p.as_ref().map(|p| p.text.as_str()) == Some("short now")), "{edited:?}");
    let reacted = s.react(reply.id, a, "👍".into(), true, at(25)).await.unwrap();
    assert_eq!(reacted.message.reply_preview.map(|p| p.text), Some("short now".into()));
    s.delete_message(parent.id, a, at(30)).await.unwrap();
    let gone = previews(&s, ab, reply.id).await;
    assert!(gone.iter().all(|p| p.as_ref().is_some_and(|p| p.deleted && p.text.is_empty())), "{gone:?}");
    let edited_reply = s.edit_message(reply.id, "answer!".into(), at(40)).await.unwrap();
    assert!(edited_reply.message.reply_preview.is_some_and(|p| p.deleted));
}

pub async fn a_retried_reply_answers_the_original_with_its_preview(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let parent = send(&s, ab, a, "m1", 10).await;
    let new = NewMessage {
        id: MessageId::new(),
        chat_id: ab,
        sender: b,
        client_id: "re-1".into(),
        kind: MessageKind::Text,
        text: "re".into(),
        image: None,
        reply_to: Some(parent.id),
        mentions: Vec::new(),
        created_at: at(20),
        notify: None,
    };
    let first = s.insert_message(new.clone()).await.unwrap();
    let again = s.insert_message(NewMessage { id: MessageId::new(), ..new }).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.message.reply_preview, first.message.reply_preview);
    assert_eq!(again.message.reply_preview.map(|p| (p.id, p.text)), Some((parent.id, "text of m1".into())));
}

pub async fn around_pages_centre_on_a_seq_and_say_what_lies_either_side(s: Arc<dyn Store>) {
    use PageCursor::Around;
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    for i in 1..=20 {
        send(&s, ab, a, &format!("m{i}"), i).await;
    }
    let around = |seq, limit| {
        let s = Arc::clone(&s);
        async move {
            let p = s.list_messages(ab, Around(seq), limit).await.unwrap();
            (p.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), p.has_more, p.has_newer)
        }
    };
    assert_eq!(around(10, 6).await, (vec![8, 9, 10, 11, 12, 13], true, true), "half before, itself included");
    assert_eq!(around(10, 7).await, (vec![7, 8, 9, 10, 11, 12, 13], true, true));
    assert_eq!(around(2, 6).await, (vec![1, 2, 3, 4, 5], false, true), "the start of the chat");
    assert_eq!(around(20, 6).await, (vec![18, 19, 20], true, false), "the live end");
    assert_eq!(around(19, 1).await, (vec![19], true, true), "newer ones counted without any taken");
    assert_eq!(around(20, 1).await, (vec![20], true, false));
    assert_eq!(around(99, 4).await, (vec![19, 20], true, false), "a seq past the end is the end");
    // The other cursors say nothing about newer ones, except `After`, which pages there.
    let latest = s.list_messages(ab, PageCursor::Latest, 5).await.unwrap();
    assert!(latest.has_more && !latest.has_newer);
    let after = s.list_messages(ab, PageCursor::After(10), 5).await.unwrap();
    assert!(after.has_more && after.has_newer);
    assert_eq!(page(&s, ab, PageCursor::After(15), 10).await, ((16..=20).collect(), false));
}
