//! Uploaded images: hardened on the way in (see `images`), stored under random keys
//! through the Media port, and served only to members of the chat they belong to or
//! to whoever holds a link signed for that object (`media_links`).

use std::sync::Arc;

use natter_domain::chat::ImageRef;
use natter_domain::ids::ChatId;
use natter_domain::ports::{Media, MediaUnavailable};
use rand::RngCore;

use crate::auth::AuthContext;
use crate::chats::ChatService;
use natter_images::{self as images, ImageError, ImageKind, ImageLimits};

use crate::decode_gate::DecodeGate;
use crate::media_links::MediaLinks;
use crate::{AppError, AppResult};

pub struct MediaService {
    media: Arc<dyn Media>,
    chats: Arc<ChatService>,
    links: Arc<MediaLinks>,
    limits: ImageLimits,
    /// Decoding is CPU- and memory-heavy: at most this many at once, off the async
    /// workers, each within `limits.max_alloc`.
    decodes: DecodeGate,
}

/// Bytes to serve and the type the server chose for them.
pub struct MediaObject {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

impl MediaService {
    pub fn new(
        media: Arc<dyn Media>,
        chats: Arc<ChatService>,
        links: Arc<MediaLinks>,
        concurrent_decodes: usize,
    ) -> Self {
        Self {
            media,
            chats,
            links,
            limits: ImageLimits::default(),
            decodes: DecodeGate::new(concurrent_decodes),
        }
    }

    /// Validate, re-encode and store an image for `chat`.
    pub async fn store_image(&self, chat: ChatId, bytes: Vec<u8>) -> AppResult<ImageRef> {
        let limits = self.limits.clone();
        let processed = self.decodes.run(move || images::process(&bytes, &limits)).await?;
        let img = processed.map_err(|e| match e {
            ImageError::TooLarge => AppError::PayloadTooLarge { message: e.to_string() },
            ImageError::TooManyPixels { .. } => {
                AppError::Unprocessable { code: "image_too_large", message: capitalize(&e.to_string()) }
            }
            ImageError::Corrupt(ref detail) => {
                tracing::info!(%detail, "refused a damaged image");
                AppError::BadRequest { code: "invalid_image", message: capitalize(&e.to_string()) }
            }
            other => AppError::BadRequest { code: "invalid_image", message: capitalize(&other.to_string()) },
        })?;
        let name = random_name();
        let key = format!("{chat}/{name}.{}", img.kind.extension());
        let thumb_key = format!("{chat}/{name}_t.{}", img.thumb_kind.extension());
        self.media.put(&key, img.bytes).await.map_err(media_error)?;
        if let Err(e) = self.media.put(&thumb_key, img.thumb).await {
            if let Err(left) = self.media.delete(&key).await {
                tracing::warn!(error = %left, key, "an image without its thumbnail was left in the media storage");
            }
            return Err(media_error(e));
        }
        Ok(ImageRef { key, thumb_key, width: img.width, height: img.height })
    }

    /// Forget an image that ended up in no message.
    pub async fn discard(&self, img: &ImageRef) {
        for key in [&img.key, &img.thumb_key] {
            if let Err(e) = self.media.delete(key).await {
                tracing::warn!(error = %e, key, "could not delete unused media");
            }
        }
    }

    /// What signs the URLs of images in messages.
    pub fn links(&self) -> &MediaLinks {
        &self.links
    }

    /// The object at `key` for whoever holds a valid, unexpired link `signature` for it
    /// or is a member of the chat it was sent in; `NotFound` for everything else (an
    /// expired or altered signature without such a session included), so nobody
    /// learns what exists.
    pub async fn fetch(
        &self,
        who: Option<AuthContext>,
        key: &str,
        signature: Option<(i64, &str)>,
    ) -> AppResult<MediaObject> {
        let not_found = || AppError::not_found("not_found", "There is nothing here.");
        let (chat, file) = key.split_once('/').ok_or_else(not_found)?;
        let content_type = content_type_of(file).ok_or_else(not_found)?;
        let signed = signature.is_some_and(|(exp, sig)| self.links.verify(key, exp, sig));
        if !signed {
            let who = who.ok_or_else(not_found)?;
            match self.chats.require_member(who, chat).await {
                Ok(_) => {}
                Err(AppError::Forbidden { .. } | AppError::NotFound { .. }) => return Err(not_found()),
                Err(e) => return Err(e),
            }
        }
        let bytes = self.media.get(key).await.map_err(media_error)?.ok_or_else(not_found)?;
        Ok(MediaObject { bytes, content_type })
    }
}

/// A media storage that cannot be reached is a 503 the client may retry; any other
/// failure stays unexpected.
fn media_error(e: anyhow::Error) -> AppError {
    if e.downcast_ref::<MediaUnavailable>().is_some() {
        tracing::warn!(error = %e, "refused: the media storage cannot be reached");
        AppError::Unavailable { what: "media storage" }
    } else {
        AppError::Unexpected(e)
    }
}

fn content_type_of(file: &str) -> Option<&'static str> {
    let ext = file.rsplit_once('.')?.1;
    [ImageKind::Jpeg, ImageKind::Png, ImageKind::Webp, ImageKind::Gif]
        .into_iter()
        .find(|k| k.extension() == ext)
        .map(|k| k.mime())
}

fn random_name() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect::<String>() + ".").unwrap_or_default()
}
