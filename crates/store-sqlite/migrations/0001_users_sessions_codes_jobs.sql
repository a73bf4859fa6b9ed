create table users (
    id text primary key,
    email text not null,
    name text not null,
    created_at integer not null,
    updated_at integer not null,
    constraint users_email_key unique (email)
);

create table sessions (
    id text primary key,
    user_id text not null,
    created_at integer not null,
    expires_at integer not null,
    revoked_at integer,
    constraint sessions_user_id_fkey foreign key (user_id) references users (id) on delete cascade
);
create index sessions_user_id_idx on sessions (user_id);

-- One open code per address; only a keyed hash of the digits is kept.
create table login_codes (
    email text primary key,
    code_hash blob not null,
    tries integer not null default 0,
    created_at integer not null,
    expires_at integer not null
);

-- The outbox: work written in the same transaction as the state that caused it.
create table jobs (
    id text primary key,
    kind text not null,
    payload text not null,
    attempts integer not null default 0,
    run_at integer not null,
    leased_until integer,
    done_at integer,
    dead_at integer,
    last_error text,
    created_at integer not null
);
create index jobs_due_idx on jobs (run_at) where done_at is null and dead_at is null;
