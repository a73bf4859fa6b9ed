use std::sync::Arc;

use natter_app::auth::AuthService;
use natter_app::chats::ChatService;
use natter_app::health::Health;
use natter_app::media::MediaService;
use natter_app::messages::MessageService;
use natter_app::signup::InviteService;
use natter_app::users::UserService;
use natter_domain::ports::DevMailbox;

use natter_app::origins::Origins;

/// Everything a handler may reach: the use-case services, nothing lower.
#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<AuthService>,
    pub users: Arc<UserService>,
    pub invites: Arc<InviteService>,
    pub chats: Arc<ChatService>,
    pub messages: Arc<MessageService>,
    pub media: Arc<MediaService>,
    pub health: Arc<Health>,
    /// Present only with the console mailer: backs `/dev/mailbox`.
    pub mailbox: Option<Arc<dyn DevMailbox>>,
    pub origins: Arc<Origins>,
    /// Mark the session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
}
