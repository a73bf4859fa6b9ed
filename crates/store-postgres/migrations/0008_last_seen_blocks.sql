-- Last seen: when a user last went offline (null before they ever did).
alter table users add column last_seen_at bigint;

-- A user's own settings, one row once they change one (no row: the defaults). Later
-- settings are further columns with their defaults.
create table user_settings (
    user_id uuid primary key references users (id) on delete cascade,
    show_last_seen boolean not null default true,
    updated_at bigint not null
);

-- Who blocked whom. Read per user in both directions (`blocks_involving`).
create table blocks (
    blocker_id uuid not null references users (id) on delete cascade,
    blocked_id uuid not null references users (id) on delete cascade,
    created_at bigint not null,
    constraint blocks_pkey primary key (blocker_id, blocked_id),
    constraint blocks_not_self check (blocker_id <> blocked_id)
);
create index blocks_blocked_idx on blocks (blocked_id);
