//! natter's use-cases. Handlers (HTTP or socket) parse their input, call one method
//! here and map the result; every rule and every authorization check lives here.

pub mod auth;
pub mod error;
pub mod health;
pub mod mail;
pub mod secrets;
pub mod tokens;
pub mod users;

pub use error::{AppError, AppResult};
