-- The change feed: one row per durable change of a chat, numbered with the chat's
-- seq and written in the transaction of the change. `kind` says what changed
-- (message.created now; message.edited, message.deleted, reaction.*, member.*,
-- chat.renamed later), `message_id` which message it is about, if any, and `payload`
-- holds what else a kind needs (JSON), so new kinds need no new migration.
-- `published_at` is set once a bus that spans nodes confirmed the row; a sweeper
-- republishes rows left without it.
create table chat_events (
    chat_id text not null,
    seq integer not null,
    kind text not null,
    actor_id text not null,
    message_id text,
    payload text,
    at integer not null,
    published_at integer,
    constraint chat_events_pkey primary key (chat_id, seq),
    constraint chat_events_chat_id_fkey foreign key (chat_id) references chats (id) on delete cascade
) without rowid;
create index chat_events_unpublished_idx on chat_events (at) where published_at is null;

-- What happened before the feed existed: every message was created, and published.
insert into chat_events (chat_id, seq, kind, actor_id, message_id, at, published_at)
select chat_id, seq, 'message.created', sender_id, id, created_at, created_at from messages;
