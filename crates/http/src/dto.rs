//! Wire shapes (camelCase, Mongo-style `_id`), built from domain entities.

use natter_domain::Timestamp;
use natter_domain::entities::User;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub email: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_seen: Option<Timestamp>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.name.into_string(),
            email: u.email.to_string(),
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_seen: None,
        }
    }
}

#[derive(Serialize)]
pub struct MessageOnly {
    pub message: &'static str,
}

#[derive(Serialize)]
pub struct UserWithToken {
    pub message: &'static str,
    pub user: UserDto,
    pub token: String,
}
