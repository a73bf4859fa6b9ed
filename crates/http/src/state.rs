use std::sync::Arc;

use natter_app::auth::AuthService;
use natter_app::blocks::BlockService;
use natter_app::chats::ChatService;
use natter_app::health::Health;
use natter_app::media::MediaService;
use natter_app::messages::MessageService;
use natter_app::metrics::{Metrics, MetricsReport};
use natter_app::push::PushService;
use natter_app::settings::SettingsService;
use natter_app::signup::InviteService;
use natter_app::users::UserService;
use natter_domain::ports::DevMailbox;

use natter_app::origins::Origins;
use natter_app::session_cookie::SessionCookie;

/// Everything a handler may reach: the use-case services, nothing lower.
#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<AuthService>,
    pub users: Arc<UserService>,
    pub settings: Arc<SettingsService>,
    pub blocks: Arc<BlockService>,
    pub invites: Arc<InviteService>,
    pub chats: Arc<ChatService>,
    pub messages: Arc<MessageService>,
    pub push: Arc<PushService>,
    pub media: Arc<MediaService>,
    pub health: Arc<Health>,
    /// Present only with the console mailer: backs `/dev/mailbox`.
    pub mailbox: Option<Arc<dyn DevMailbox>>,
    pub origins: Arc<Origins>,
    /// The session cookie's name and flags, from the public URL's scheme.
    pub session_cookie: SessionCookie,
    pub metrics: Arc<Metrics>,
    /// `None` when `/metrics` has a listener of its own: this one answers 404 there.
    pub metrics_report: Option<Arc<MetricsReport>>,
}
