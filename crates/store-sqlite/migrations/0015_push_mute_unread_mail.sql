-- Web Push: one row per device (browser), replaced by endpoint.
create table push_subscriptions (
    endpoint text primary key,
    user_id text not null,
    p256dh blob not null,
    auth blob not null,
    created_at integer not null,
    constraint push_subscriptions_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index push_subscriptions_user_id_idx on push_subscriptions (user_id, created_at);

-- A muted chat makes no sound, push or mail; its unread messages still count.
alter table chat_members add column muted integer not null default 0;

-- The still-unread mail: null the deployment's delay, 0 off, else minutes.
alter table user_settings add column unread_mail_minutes integer;
-- When the last such mail went (at most one an hour), and the newest message it
-- listed (none is listed twice).
alter table users add column unread_mailed_at integer;
alter table users add column unread_mailed_upto integer;
