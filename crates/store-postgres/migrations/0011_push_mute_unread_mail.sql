-- Web Push: one row per device (browser), replaced by endpoint.
create table push_subscriptions (
    endpoint text primary key,
    user_id uuid not null references users (id) on delete cascade,
    p256dh bytea not null,
    auth bytea not null,
    created_at bigint not null
);
create index push_subscriptions_user_id_idx on push_subscriptions (user_id, created_at);

-- A muted chat makes no sound, push or mail; its unread messages still count.
alter table chat_members add column muted boolean not null default false;

-- The still-unread mail: null the deployment's delay, 0 off, else minutes.
alter table user_settings add column unread_mail_minutes bigint;
-- When the last such mail went (at most one an hour), and the newest message it
-- listed (none is listed twice).
alter table users add column unread_mailed_at bigint;
alter table users add column unread_mailed_upto bigint;
