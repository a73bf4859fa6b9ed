//! What is copied: every table of an installation, in an order that satisfies the
//! foreign keys, with each column's type on both sides. Both schemas are the stores'
//! own migrations (SQLite's 0001..0016, PostgreSQL's 0001..0011); a migration that adds a
//! table or a column adds it here too (or, if it is only an index of other tables, to
//! `DERIVED_SQLITE_TABLES`), or `natter admin migrate` fails its final check.

/// SQLite tables that are an index of other tables, not data: the search index of
/// migration 0011 (its FTS5 table, the tables FTS5 keeps for it, and its row numbers)
/// and how far it is up to date (migration 0016).
/// They are not copied; PostgreSQL indexes the messages it receives by itself.
pub const DERIVED_SQLITE_TABLES: &[&str] = &[
    "message_search",
    "message_search_config",
    "message_search_data",
    "message_search_docsize",
    "message_search_idx",
    "message_search_rows",
    "message_search_state",
];

/// How a column is stored: SQLite's type, and what PostgreSQL wants for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Hyphenated text in SQLite, `uuid` in PostgreSQL.
    Uuid,
    Text,
    Int,
    /// `0`/`1` in SQLite, `boolean` in PostgreSQL.
    Bool,
    /// A blob in SQLite (whatever the declared type), `bytea` in PostgreSQL.
    Bytes,
    /// JSON text in SQLite, `jsonb` in PostgreSQL.
    Json,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// The primary key: pages are read in its order, and a resumed copy goes on after
    /// the last key it committed.
    pub key: &'static [&'static str],
    pub cols: &'static [(&'static str, Col)],
    /// An identity column that PostgreSQL generates (`overriding system value`, and
    /// the sequence moved past the copied ids at the end).
    pub identity: Option<&'static str>,
    /// Columns only PostgreSQL has, which it fills itself as rows are copied in
    /// (`chat_members.seat`: the order members joined in, which SQLite keeps as rowid).
    pub pg_generated: &'static [&'static str],
    /// Rows that the server deletes (used-up and expired codes): copied anew on every
    /// run, so a resumed copy does not keep rows the source no longer has.
    pub recopy: bool,
}

use Col::{Bool, Bytes, Int, Json, Text, Uuid};

pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        key: &["id"],
        cols: &[
            ("id", Uuid),
            ("email", Text),
            ("name", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("is_admin", Bool),
            ("last_seen_at", Int),
            ("unread_mailed_at", Int),
            ("unread_mailed_upto", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "user_settings",
        key: &["user_id"],
        cols: &[
            ("user_id", Uuid),
            ("show_last_seen", Bool),
            ("updated_at", Int),
            ("sound", Bool),
            ("desktop", Bool),
            ("unread_mail_minutes", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "push_subscriptions",
        key: &["endpoint"],
        cols: &[
            ("endpoint", Text),
            ("user_id", Uuid),
            ("p256dh", Bytes),
            ("auth", Bytes),
            ("created_at", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "blocks",
        key: &["blocker_id", "blocked_id"],
        cols: &[("blocker_id", Uuid), ("blocked_id", Uuid), ("created_at", Int)],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "sessions",
        key: &["id"],
        cols: &[
            ("id", Uuid),
            ("user_id", Uuid),
            ("created_at", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "invites",
        key: &["email"],
        cols: &[("email", Text), ("invited_by", Uuid), ("created_at", Int), ("used_at", Int)],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "login_codes",
        key: &["id"],
        cols: &[
            ("id", Int),
            ("email", Text),
            ("code_hash", Bytes),
            ("tries", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        identity: Some("id"),
        pg_generated: &[],
        recopy: true,
    },
    Table {
        name: "jobs",
        key: &["id"],
        cols: &[
            ("id", Uuid),
            ("kind", Text),
            ("payload", Bytes),
            ("attempts", Int),
            ("run_at", Int),
            ("leased_until", Int),
            ("lease_id", Uuid),
            ("done_at", Int),
            ("dead_at", Int),
            ("last_error", Text),
            ("created_at", Int),
            ("relayed_at", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "chats",
        key: &["id"],
        cols: &[
            ("id", Uuid),
            ("is_group", Bool),
            ("name", Text),
            ("direct_key", Text),
            ("last_seq", Int),
            ("latest_message_id", Uuid),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "chat_members",
        key: &["chat_id", "user_id"],
        cols: &[
            ("chat_id", Uuid),
            ("user_id", Uuid),
            ("last_read_seq", Int),
            ("read_at", Int),
            ("joined_at", Int),
            ("role", Text),
            ("muted", Bool),
        ],
        identity: None,
        pg_generated: &["seat"],
        recopy: false,
    },
    Table {
        name: "messages",
        key: &["id"],
        cols: &[
            ("id", Uuid),
            ("chat_id", Uuid),
            ("seq", Int),
            ("sender_id", Uuid),
            ("client_id", Text),
            ("kind", Text),
            ("text", Text),
            ("image_key", Text),
            ("thumb_key", Text),
            ("image_width", Int),
            ("image_height", Int),
            ("reply_to", Uuid),
            ("created_at", Int),
            ("updated_at", Int),
            ("edited_at", Int),
            ("deleted_at", Int),
            ("mentions", Json),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "message_edits",
        key: &["id"],
        cols: &[("id", Int), ("message_id", Uuid), ("text", Text), ("replaced_at", Int)],
        identity: Some("id"),
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "message_reactions",
        key: &["id"],
        cols: &[("id", Int), ("message_id", Uuid), ("emoji", Text), ("user_id", Uuid), ("at", Int)],
        identity: Some("id"),
        pg_generated: &[],
        recopy: false,
    },
    Table {
        name: "chat_events",
        key: &["chat_id", "seq"],
        cols: &[
            ("chat_id", Uuid),
            ("seq", Int),
            ("kind", Text),
            ("actor_id", Uuid),
            ("message_id", Uuid),
            ("payload", Json),
            ("at", Int),
            ("published_at", Int),
            ("swept_until", Int),
        ],
        identity: None,
        pg_generated: &[],
        recopy: false,
    },
];

impl Table {
    pub fn column_list(&self) -> String {
        self.cols.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }

    pub fn key_list(&self) -> String {
        self.key.join(", ")
    }

    /// Where each key column sits in a row of `cols`.
    pub fn key_positions(&self) -> Vec<usize> {
        self.key
            .iter()
            .map(|k| self.cols.iter().position(|(name, _)| name == k).unwrap_or(usize::MAX))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_column_is_a_column_and_every_table_is_named_once() {
        for t in TABLES {
            assert!(t.key_positions().iter().all(|&p| p < t.cols.len()), "{}", t.name);
            assert_eq!(TABLES.iter().filter(|o| o.name == t.name).count(), 1);
        }
    }
}
