create table chats (
    id text primary key,
    is_group integer not null default 0,
    name text,
    -- "<smaller user id>:<larger user id>" for a 1:1 chat, so there is only ever one.
    direct_key text,
    -- The seq of the newest durable change; bumped inside the committing transaction.
    last_seq integer not null default 0,
    latest_message_id text,
    created_at integer not null,
    updated_at integer not null,
    constraint chats_direct_key_key unique (direct_key)
);

create table chat_members (
    chat_id text not null,
    user_id text not null,
    -- One read marker per member per chat.
    last_read_seq integer not null default 0,
    read_at integer,
    joined_at integer not null,
    constraint chat_members_pkey primary key (chat_id, user_id),
    constraint chat_members_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade,
    constraint chat_members_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index chat_members_user_id_idx on chat_members (user_id);

create table messages (
    id text primary key,
    chat_id text not null,
    seq integer not null,
    sender_id text not null,
    client_id text not null,
    kind text not null,
    text text not null default '',
    image_key text,
    thumb_key text,
    image_width integer,
    image_height integer,
    reply_to text,
    created_at integer not null,
    updated_at integer not null,
    constraint messages_chat_seq_key unique (chat_id, seq),
    constraint messages_sender_client_key unique (sender_id, client_id),
    constraint messages_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade,
    constraint messages_sender_id_fkey foreign key (sender_id) references users (id)
);
