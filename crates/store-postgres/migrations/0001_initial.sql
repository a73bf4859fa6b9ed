-- natter on PostgreSQL: the tables SQLite has after its migrations 0001..0005, made
-- for PostgreSQL. Ids are uuid (UUIDv7, made by the server), times are milliseconds
-- since the Unix epoch in bigint (as on SQLite and on the wire), counters are bigint.
-- Forward only: a change is a new file after this one.

create table users (
    id uuid primary key,
    email text not null,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    -- The first account of an install is its admin (admit_user decides under a lock).
    is_admin boolean not null default false,
    constraint users_email_key unique (email)
);

create table sessions (
    id uuid primary key,
    user_id uuid not null,
    created_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint,
    constraint sessions_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index sessions_user_id_idx on sessions (user_id);

-- A few open codes per address (the newest MAX_OPEN_CODES); only a keyed hash of the
-- digits is kept.
create table login_codes (
    id bigint generated always as identity primary key,
    email text not null,
    code_hash bytea not null,
    tries bigint not null default 0,
    created_at bigint not null,
    expires_at bigint not null
);
create index login_codes_email_idx on login_codes (email, created_at);

-- One invitation per address, whoever made it; used up when the account is created.
create table invites (
    email text primary key,
    invited_by uuid not null,
    created_at bigint not null,
    used_at bigint,
    constraint invites_invited_by_fkey foreign key (invited_by) references users (id) on delete cascade
);
create index invites_invited_by_idx on invites (invited_by, created_at);

-- The outbox: work written in the same transaction as the state that caused it. The
-- payload is sealed by the server (a login mail carries its code) and erased once the
-- job is done or dead. Each claim writes a new lease id; only its holder settles it.
create table jobs (
    id uuid primary key,
    kind text not null,
    payload bytea not null,
    attempts bigint not null default 0,
    run_at bigint not null,
    leased_until bigint,
    lease_id uuid,
    done_at bigint,
    dead_at bigint,
    last_error text,
    created_at bigint not null
);
create index jobs_due_idx on jobs (run_at) where done_at is null and dead_at is null;
-- Dead letters are counted for /metrics.
create index jobs_dead_idx on jobs (dead_at) where dead_at is not null;

create table chats (
    id uuid primary key,
    is_group boolean not null default false,
    name text,
    -- "<smaller user id>:<larger user id>" for a 1:1 chat, so there is only ever one.
    direct_key text,
    -- The seq of the newest durable change; bumped inside the committing transaction,
    -- whose row lock orders the writers of one chat.
    last_seq bigint not null default 0,
    latest_message_id uuid,
    created_at bigint not null,
    updated_at bigint not null,
    constraint chats_direct_key_key unique (direct_key)
);

create table chat_members (
    chat_id uuid not null,
    user_id uuid not null,
    -- One read marker per member per chat.
    last_read_seq bigint not null default 0,
    read_at bigint,
    joined_at bigint not null,
    constraint chat_members_pkey primary key (chat_id, user_id),
    constraint chat_members_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade,
    constraint chat_members_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index chat_members_user_id_idx on chat_members (user_id);

create table messages (
    id uuid primary key,
    chat_id uuid not null,
    seq bigint not null,
    sender_id uuid not null,
    client_id text not null,
    kind text not null,
    text text not null default '',
    image_key text,
    thumb_key text,
    image_width bigint,
    image_height bigint,
    reply_to uuid,
    created_at bigint not null,
    updated_at bigint not null,
    constraint messages_chat_seq_key unique (chat_id, seq),
    constraint messages_sender_client_key unique (sender_id, client_id),
    constraint messages_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade,
    constraint messages_sender_id_fkey foreign key (sender_id) references users (id)
);

-- The change feed: one row per durable change of a chat, numbered with the chat's seq
-- and written in the transaction of the change. `kind` says what changed, `message_id`
-- which message it is about, if any, and `payload` what else a kind needs (JSON), so
-- new kinds need no new migration. `published_at` is set once a bus that spans nodes
-- confirmed the row; a sweeper republishes rows left without it.
create table chat_events (
    chat_id uuid not null,
    seq bigint not null,
    kind text not null,
    actor_id uuid not null,
    message_id uuid,
    payload jsonb,
    at bigint not null,
    published_at bigint,
    constraint chat_events_pkey primary key (chat_id, seq),
    constraint chat_events_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade
);
create index chat_events_unpublished_idx on chat_events (at) where published_at is null;
