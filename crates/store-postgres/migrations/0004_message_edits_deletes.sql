-- Edits and deletes for everyone. A message keeps its seq (its place in the chat);
-- each edit or delete is a feed row of its own with the chat's next seq. The texts a
-- message had before its edits stay with it for its sender, until it is deleted,
-- which takes them too.
alter table messages add column edited_at bigint;
alter table messages add column deleted_at bigint;
create table message_edits (
    id bigint generated always as identity primary key,
    message_id uuid not null references messages (id) on delete cascade,
    text text not null,
    replaced_at bigint not null
);
create index message_edits_message_idx on message_edits (message_id, id);
