-- Mentions: the members a message names with `@name` in a group, as a JSON array of
-- their ids (null when it names none), kept as it was sent and dropped with a delete.
-- A chat's unread mentions are counted over its unseen messages only, which the chat
-- list scans already, so the column needs no index of its own.
alter table messages add column mentions text;
