//! Message search: what a query finds (prefixes, words with dots, URLs), in whose
//! chats, in what order, and that edits and deletes change it in their own
//! transaction.

use std::sync::Arc;

use natter_domain::chat::{MessageKind, NewMessage};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::Store;
use natter_domain::search::SearchQuery;

use super::at;
use super::store::{direct_chat, user};

async fn say(s: &Arc<dyn Store>, chat: ChatId, sender: UserId, text: &str) -> MessageId {
    let id = MessageId::new();
    s.insert_message(NewMessage {
        id,
        chat_id: chat,
        sender,
        client_id: format!("c-{id}"),
        kind: MessageKind::Text,
        text: text.into(),
        image: None,
        reply_to: None,
        mentions: Vec::new(),
        created_at: at(10),
        notify: None,
    })
    .await
    .unwrap();
    id
}

/// The texts `user` finds with `q`, in the order found.
async fn find(s: &Arc<dyn Store>, user: UserId, q: &str) -> Vec<String> {
    let found = s.search_messages(user, &SearchQuery::parse(q), None, None, 50).await.unwrap();
    found.into_iter().map(|m| m.text).collect()
}

pub async fn search_finds_prefixes_words_with_dots_and_urls(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let deploy = "We deploy on Friday";
    let config = "edit natter.toml first";
    let link = "see https://example.com/a/b for details";
    let version = "released v1.2.3 today";
    let accents = "L'ÉCOLE est fermée";
    for text in [deploy, config, link, version, accents, "nothing to see"] {
        say(&s, ab, a, text).await;
    }
    assert_eq!(find(&s, b, "deplo").await, [deploy], "a prefix");
    assert_eq!(find(&s, b, "DEPLOY friday").await, [deploy], "every word, any case");
    assert!(find(&s, b, "deploy saturday").await.is_empty(), "every word must match");
    assert_eq!(find(&s, b, "natter.toml").await, [config]);
    assert_eq!(find(&s, b, "toml").await, [config], "a part of a dotted word");
    assert_eq!(find(&s, b, "natter.to").await, [config]);
    assert!(find(&s, b, "toml.natter").await.is_empty(), "the parts in their order");
    assert_eq!(find(&s, b, "example.com/a/b").await, [link]);
    assert_eq!(find(&s, b, "https://example.com").await, [link]);
    assert_eq!(find(&s, b, "v1.2.3").await, [version]);
    assert_eq!(find(&s, b, "v1.2").await, [version]);
    assert_eq!(find(&s, b, "école").await, [accents], "case folds beyond ASCII");
    assert_eq!(find(&s, b, "fermée").await, [accents]);
}

pub async fn search_input_is_text_and_never_syntax(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    say(&s, ab, a, "say \"hi\" (or not) -- ok* NEAR me AND you").await;
    for q in [
        "\"", "\"hi", "*", "-", "--", "OR", "AND", "NOT", "NEAR", "(", ")", "(or", "ok*", "\0", "a\0b", "'",
        "''", "\\", ":*", "&", "|", "!", "<->", "hi:*", "^", "{}", "[]", "col:hi", "😀", "\u{202e}", "%",
        "_",
    ] {
        s.search_messages(b, &SearchQuery::parse(q), None, None, 10)
            .await
            .unwrap_or_else(|e| panic!("{q:?} is refused: {e:?}"));
    }
    assert_eq!(find(&s, b, "\"hi\"").await.len(), 1, "quotes are not a phrase operator");
    assert_eq!(find(&s, b, "(or").await.len(), 1, "nor parentheses or OR");
    assert_eq!(find(&s, b, "NEAR me").await.len(), 1);
    assert!(find(&s, b, "-hi").await.len() == 1, "nor is a dash a negation");
}

pub async fn search_sees_only_the_callers_chats_and_narrows_to_one(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let bc = direct_chat(&s, b, c, 1).await;
    let in_ab = say(&s, ab, a, "secret plan").await;
    let in_bc = say(&s, bc, c, "secret party").await;
    assert_eq!(find(&s, a, "secret").await, ["secret plan"], "not the chat a is not in");
    assert_eq!(find(&s, c, "secret").await, ["secret party"]);
    assert_eq!(find(&s, b, "secret").await, ["secret party", "secret plan"], "both of b's, newest first");
    let only = s.search_messages(b, &SearchQuery::parse("secret"), Some(ab), None, 10).await.unwrap();
    assert_eq!(only.iter().map(|m| m.id).collect::<Vec<_>>(), [in_ab]);
    // Naming a chat one is not in finds nothing either (the use-case refuses it first).
    let foreign = s.search_messages(a, &SearchQuery::parse("secret"), Some(bc), None, 10).await.unwrap();
    assert!(foreign.is_empty(), "{foreign:?}");
    assert_ne!(in_ab, in_bc);
}

pub async fn search_follows_edits_and_deletes(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let m = say(&s, ab, a, "meet at the harbour").await;
    s.edit_message(m, "meet at the station".into(), at(20)).await.unwrap();
    assert!(find(&s, b, "harbour").await.is_empty(), "the old text is not found");
    assert_eq!(find(&s, b, "station").await, ["meet at the station"]);
    s.delete_message(m, a, at(30)).await.unwrap();
    assert!(find(&s, b, "station").await.is_empty(), "a deleted message is found by nothing");
    assert!(find(&s, b, "meet").await.is_empty());
}

/// A message a search has already found and one no search has looked at yet follow
/// their edits and deletes alike (the SQLite store indexes in batches after the
/// write, so it has a path for each).
pub async fn search_follows_edits_and_deletes_of_messages_found_before(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let found = say(&s, ab, a, "meet at the harbour").await;
    assert_eq!(find(&s, b, "harbour").await, ["meet at the harbour"]);
    let unseen = say(&s, ab, b, "lunch at noon").await;
    s.edit_message(found, "meet at the station".into(), at(20)).await.unwrap();
    s.edit_message(unseen, "lunch at one".into(), at(20)).await.unwrap();
    assert!(find(&s, b, "harbour").await.is_empty(), "the old text is not found");
    assert!(find(&s, b, "noon").await.is_empty(), "the old text is not found");
    assert_eq!(find(&s, a, "station").await, ["meet at the station"]);
    assert_eq!(find(&s, a, "lunch").await, ["lunch at one"]);
    let later = say(&s, ab, a, "lunch again tomorrow").await;
    s.delete_message(found, a, at(30)).await.unwrap();
    s.delete_message(later, a, at(30)).await.unwrap();
    assert!(find(&s, b, "meet").await.is_empty(), "a deleted message is found by nothing");
    assert_eq!(find(&s, b, "lunch").await, ["lunch at one"]);
    say(&s, ab, b, "lunch after the deletes").await;
    assert_eq!(find(&s, a, "lunch").await, ["lunch after the deletes", "lunch at one"]);
}

pub async fn search_pages_newest_first_before_a_message(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(say(&s, ab, if i % 2 == 0 { a } else { b }, &format!("report {i}")).await);
    }
    let q = SearchQuery::parse("report");
    let first = s.search_messages(b, &q, None, None, 3).await.unwrap();
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[6], ids[5], ids[4]]);
    let next = s.search_messages(b, &q, None, Some(ids[4]), 3).await.unwrap();
    assert_eq!(next.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[3], ids[2], ids[1]]);
    let last = s.search_messages(b, &q, Some(ab), Some(ids[1]), 3).await.unwrap();
    assert_eq!(last.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[0]]);
    assert!(s.search_messages(b, &SearchQuery::parse("*"), None, None, 3).await.unwrap().is_empty());
}
