-- Reactions: one row per user per emoji per message, numbered in the order they were
-- made (`id`), which is the order a message lists its emoji and their users in. A
-- deleted message keeps none.
create table message_reactions (
    id integer primary key,
    message_id text not null,
    emoji text not null,
    user_id text not null,
    at integer not null,
    constraint message_reactions_once unique (message_id, emoji, user_id),
    constraint message_reactions_message_id_fkey foreign key (message_id) references messages (id) on delete cascade,
    constraint message_reactions_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index message_reactions_order_idx on message_reactions (message_id, id);
