mod console;
mod smtp;

pub use console::ConsoleMailer;
pub use smtp::SmtpMailer;
