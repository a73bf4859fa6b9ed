-- Who may join: admins, invitations, and a few open codes per address.

-- The first account of an install is its admin. An install that predates admins makes
-- its oldest account (the one who set it up) the admin.
alter table users add column is_admin integer not null default 0;
update users set is_admin = 1 where id = (select id from users order by created_at, id limit 1);

-- One invitation per address, whoever made it; used up when the account is created.
create table invites (
    email text primary key,
    invited_by text not null,
    created_at integer not null,
    used_at integer,
    constraint invites_invited_by_fkey foreign key (invited_by) references users (id) on delete cascade
);
create index invites_invited_by_idx on invites (invited_by, created_at);

-- A new code no longer replaces the open one (whoever asks for a code must not void the
-- code its owner is typing), so the code, not the address, is the key.
create table login_codes_v2 (
    id integer primary key,
    email text not null,
    code_hash blob not null,
    tries integer not null default 0,
    created_at integer not null,
    expires_at integer not null
);
insert into login_codes_v2 (email, code_hash, tries, created_at, expires_at)
    select email, code_hash, tries, created_at, expires_at from login_codes;
drop table login_codes;
alter table login_codes_v2 rename to login_codes;
create index login_codes_email_idx on login_codes (email, created_at);
