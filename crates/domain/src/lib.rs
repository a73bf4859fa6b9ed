//! The vocabulary of natter: ids, validated values, entities, and the ports that
//! backends implement. Nothing here performs I/O.

pub mod bus;
pub mod chat;
pub mod email;
pub mod entities;
pub mod error;
pub mod group;
pub mod ids;
pub mod name;
pub mod notify;
pub mod otp;
pub mod ports;
pub mod search;
pub mod time;

pub use email::Email;
pub use error::{StoreError, ValidationError};
pub use name::DisplayName;
pub use otp::Otp;
pub use time::Timestamp;
