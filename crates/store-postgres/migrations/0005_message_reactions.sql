-- Reactions: one row per user per emoji per message, numbered in the order they were
-- made (`id`), which is the order a message lists its emoji and their users in. A
-- deleted message keeps none.
create table message_reactions (
    id bigint generated always as identity primary key,
    message_id uuid not null references messages (id) on delete cascade,
    emoji text not null,
    user_id uuid not null references users (id) on delete cascade,
    at bigint not null,
    constraint message_reactions_once unique (message_id, emoji, user_id)
);
create index message_reactions_order_idx on message_reactions (message_id, id);
