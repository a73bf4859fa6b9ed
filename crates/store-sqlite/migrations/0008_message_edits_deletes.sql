-- Edits and deletes for everyone. A message keeps its seq (its place in the chat);
-- each edit or delete is a feed row of its own with the chat's next seq. The texts a
-- message had before its edits stay with it for its sender, until it is deleted,
-- which takes them too.
alter table messages add column edited_at integer;
alter table messages add column deleted_at integer;
create table message_edits (
    id integer primary key,
    message_id text not null,
    text text not null,
    replaced_at integer not null,
    constraint message_edits_message_id_fkey foreign key (message_id) references messages (id) on delete cascade
);
create index message_edits_message_idx on message_edits (message_id, id);
