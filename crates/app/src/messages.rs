//! Sending and reading messages. Both transports (REST and socket) call `send`.

use std::sync::Arc;
use std::time::Duration;

use natter_domain::StoreError;
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::chat::{
    Chat, FeedEvent, FeedKind, ImageRef, MAX_CLIENT_ID_LEN, MAX_MENTIONS, MAX_TEXT_CHARS, Message,
    MessageKind, MessagePage, NewMessage, PageCursor, ReadMarker, Stored,
};
use natter_domain::group::GroupRefusal;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::notify::{DelayedJob, MessageToNotify};
use natter_domain::ports::{Clock, Decision, Limiter, Rate, Store};
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::chats::ChatService;
use crate::job_seal::JobSeal;
use crate::media::MediaService;
use crate::push;
use crate::{AppError, AppResult};

/// How fast one user may send, across all their sockets and requests: a burst for a
/// person pasting lines, and a ceiling a runaway script hits quickly.
pub const SEND_RATES: [Rate; 2] =
    [Rate::per(30, Duration::from_secs(1)), Rate::per(600, Duration::from_secs(60))];

/// Fan-out backlog (events) past which sends are refused as `Overloaded`: committing
/// faster than this node can deliver only makes every delivery later, and a fan-out
/// that falls a whole bus behind has to disconnect every socket.
pub const MAX_FANOUT_BACKLOG: usize = 2048;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// A send as it arrives from either transport, not yet validated.
#[derive(Debug, Default)]
pub struct SendInput {
    pub chat_id: String,
    pub text: Option<String>,
    pub client_id: Option<String>,
    pub reply_to: Option<String>,
    /// User ids the message mentions.
    pub mentions: Vec<String>,
    pub image: Option<Vec<u8>>,
}

/// A page of history with what the reader needs to render it.
pub struct MessagesView {
    pub chat: Chat,
    pub page: MessagePage,
    pub markers: Vec<ReadMarker>,
}

/// How fast one user may send: the limiter that counts, and its rates.
pub struct SendLimits {
    pub limiter: Arc<dyn Limiter>,
    pub rates: Vec<Rate>,
}

pub struct MessageService {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    chats: Arc<ChatService>,
    media: Arc<MediaService>,
    limiter: Arc<dyn Limiter>,
    send_rates: Vec<Rate>,
    /// Seals each new message's push check (see `push`).
    seal: JobSeal,
}

impl MessageService {
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
        chats: Arc<ChatService>,
        media: Arc<MediaService>,
        limits: SendLimits,
        seal: JobSeal,
    ) -> Self {
        let SendLimits { limiter, rates: send_rates } = limits;
        Self { store, bus, clock, chats, media, limiter, send_rates, seal }
    }

    /// The media the messages' images live in (and what signs their links).
    pub fn media(&self) -> &MediaService {
        &self.media
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn bus(&self) -> &Arc<dyn Bus> {
        &self.bus
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub(crate) fn chats(&self) -> &ChatService {
        &self.chats
    }

    pub(crate) fn limiter(&self) -> &Arc<dyn Limiter> {
        &self.limiter
    }

    pub(crate) fn send_rates(&self) -> &[Rate] {
        &self.send_rates
    }

    /// Store a message and, once committed, announce it. A repeated `clientId` from
    /// the same sender answers with the original and stores nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id, chat.id = %input.chat_id), err)]
    pub async fn send(&self, who: AuthContext, input: SendInput) -> AppResult<Stored> {
        let chat = self.chats.require_membership(who, &input.chat_id).await?;
        // From memory (see `blocks`): the send path reads nothing more for it.
        if let Some(other) = chat.other_in_direct(who.user_id) {
            self.chats.blocks().may_send_direct(who.user_id, other).await?;
        }
        if self.bus.backlog() > MAX_FANOUT_BACKLOG {
            return Err(AppError::Overloaded);
        }
        let key = format!("send:user:{}", who.user_id);
        if let Decision::Limited { retry_after } =
            self.limiter.hit(&key, &self.send_rates, self.clock.now()).await?
        {
            return Err(AppError::RateLimited {
                code: "rate_limited",
                message: "You are sending messages too fast. Slow down a little.".into(),
                retry_after,
            });
        }
        let text = input.text.unwrap_or_default();
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(invalid_field(
                "text_too_long",
                "text",
                format!("A message can have at most {MAX_TEXT_CHARS} characters."),
            ));
        }
        let has_text = !text.trim().is_empty();
        if !has_text && input.image.is_none() {
            return Err(AppError::BadRequest {
                code: "empty_message",
                message: "Write something or attach an image.".into(),
            });
        }
        let client_id = match input.client_id.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) {
            Some(c) if valid_client_id(&c) => c,
            Some(_) => {
                return Err(invalid_field(
                    "invalid_client_id",
                    "clientId",
                    format!("clientId must be 1-{MAX_CLIENT_ID_LEN} letters, digits, '-' or '_'."),
                ));
            }
            // A seed client sends none: the server makes one, so it is never a duplicate.
            None => MessageId::new().to_string(),
        };
        let reply_to = match input.reply_to.filter(|r| !r.trim().is_empty()) {
            Some(r) => Some(self.reply_target(chat.chat_id, &r).await?),
            None => None,
        };
        let mentions = mentioned(&input.mentions, &chat, who.user_id)?;
        let image = match input.image {
            Some(bytes) => Some(self.media.store_image(chat.chat_id, bytes).await?),
            None => None,
        };
        let (id, now) = (MessageId::new(), self.clock.now());
        let notify = push::notify_job(&self.seal, MessageToNotify { chat_id: chat.chat_id, message_id: id })?;
        let new = NewMessage {
            id,
            chat_id: chat.chat_id,
            sender: who.user_id,
            client_id,
            kind: if image.is_some() { MessageKind::Image } else { MessageKind::Text },
            text: if has_text { text } else { String::new() },
            image: image.clone(),
            reply_to,
            mentions,
            created_at: now,
            notify: Some(DelayedJob { job: notify, run_at: now.plus(push::PUSH_GRACE) }),
        };
        let stored = match self.store.insert_message(new).await {
            Ok(s) => s,
            Err(e) => {
                self.discard(image.as_ref()).await;
                return Err(match e {
                    // Removed from the group since this node last read its members.
                    StoreError::Conflict { constraint } if constraint == GroupRefusal::NotAMember.code() => {
                        self.chats.forget(chat.chat_id);
                        crate::chats::not_a_member()
                    }
                    StoreError::Conflict { .. } => AppError::BadRequest {
                        code: "client_id_reused",
                        message: "This clientId was already used for a message in another chat.".into(),
                    },
                    other => other.into(),
                });
            }
        };
        if stored.created {
            let m = &stored.message;
            let event = FeedEvent {
                chat_id: m.chat_id,
                seq: m.seq,
                kind: FeedKind::MessageCreated,
                actor: m.sender,
                at: m.created_at,
                message: Some(m.clone()),
                chat: None,
            };
            let members = stored.members.clone().unwrap_or_else(|| chat.members.clone());
            announce(&*self.bus, BusEvent::Feed { event, members }).await;
        } else {
            self.discard(image.as_ref()).await;
        }
        Ok(stored)
    }

    /// A page of history. Reading the newest page marks the chat read up to its end,
    /// as opening a chat does in the seed.
    pub async fn list(
        &self,
        who: AuthContext,
        chat_id: &str,
        cursor: PageCursor,
        limit: Option<u32>,
    ) -> AppResult<MessagesView> {
        let chat = self.chats.require_member(who, chat_id).await?;
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let page = self.store.list_messages(chat.id, cursor, limit).await?;
        if matches!(cursor, PageCursor::Latest) {
            self.chats.mark_read_in(who, &chat, chat.last_seq).await?;
        }
        let markers = self.store.read_markers(chat.id).await?;
        Ok(MessagesView { chat, page, markers })
    }

    async fn reply_target(&self, chat: ChatId, raw: &str) -> AppResult<MessageId> {
        let invalid = || AppError::BadRequest {
            code: "invalid_reply",
            message: "replyTo must be a message in this chat.".into(),
        };
        let id: MessageId = raw.trim().parse().map_err(|_| invalid())?;
        match self.store.get_message(id).await {
            Ok(m) if m.chat_id == chat && m.kind != MessageKind::System => Ok(id),
            Ok(_) | Err(StoreError::NotFound) => Err(invalid()),
            Err(e) => Err(e.into()),
        }
    }

    async fn discard(&self, image: Option<&ImageRef>) {
        if let Some(img) = image {
            self.media.discard(img).await;
        }
    }
}

/// The members a send mentions: each once, never the sender, only in a group, and only
/// those still in it (someone may have left while the message was written).
fn mentioned(raw: &[String], chat: &crate::chats::Membership, sender: UserId) -> AppResult<Vec<UserId>> {
    if raw.len() > MAX_MENTIONS {
        return Err(invalid_field(
            "too_many_mentions",
            "mentions",
            format!("A message can mention at most {MAX_MENTIONS} members."),
        ));
    }
    let mut out: Vec<UserId> = Vec::new();
    for r in raw {
        let id: UserId = r.trim().parse().map_err(|_| {
            invalid_field("invalid_mention", "mentions", "mentions are the user ids of members.".into())
        })?;
        if chat.is_group && id != sender && chat.members.contains(&id) && !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn valid_client_id(c: &str) -> bool {
    c.len() <= MAX_CLIENT_ID_LEN && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// When `m` was seen by someone other than its sender, if it was.
pub fn seen_at(markers: &[ReadMarker], m: &Message) -> Option<natter_domain::Timestamp> {
    markers.iter().filter(|mk| mk.has_seen(m)).filter_map(|mk| mk.read_at).max()
}

/// The other member of a 1:1 chat, from `me`'s point of view.
pub fn other_member(chat: &Chat, me: UserId) -> Option<UserId> {
    if chat.is_group { None } else { chat.members.iter().copied().find(|u| *u != me) }
}

/// A send input that names its field, so both transports answer `fields`.
fn invalid_field(code: &'static str, field: &'static str, sentence: String) -> AppError {
    let mut fields = std::collections::BTreeMap::new();
    fields.insert(field, sentence.clone());
    AppError::Validation(natter_domain::ValidationError { code, message: sentence, fields })
}
