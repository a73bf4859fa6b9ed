-- Last seen: when a user last went offline (null before they ever did).
alter table users add column last_seen_at integer;

-- A user's own settings, one row once they change one (no row: the defaults). Later
-- settings are further columns with their defaults.
create table user_settings (
    user_id text primary key,
    show_last_seen integer not null default 1,
    updated_at integer not null,
    constraint user_settings_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);

-- Who blocked whom. Read per user in both directions (`blocks_involving`).
create table blocks (
    blocker_id text not null,
    blocked_id text not null,
    created_at integer not null,
    constraint blocks_pkey primary key (blocker_id, blocked_id),
    constraint blocks_not_self check (blocker_id <> blocked_id),
    constraint blocks_blocker_id_fkey foreign key (blocker_id) references users (id) on delete cascade,
    constraint blocks_blocked_id_fkey foreign key (blocked_id) references users (id) on delete cascade
);
create index blocks_blocked_idx on blocks (blocked_id);
