-- The search index is brought up to date in batches (`search_index.rs`), no longer by
-- a trigger in the transaction of each message: FTS5 writes a segment of its own at
-- every savepoint's release, and every write runs in its own savepoint (group commit),
-- so the trigger cost each message about half of its write and half of its WAL pages
-- (docs/PERFORMANCE.md, issue 15). `indexed_upto` is the highest
-- `message_search_rows.id` whose text is in the index; the rows past it wait for the
-- next batch, which a search runs first, so a search still finds every acked message.
create table message_search_state (
    only integer primary key check (only = 1),
    indexed_upto integer not null
);
insert into message_search_state (only, indexed_upto)
    select 1, coalesce(max(id), 0) from message_search_rows;

drop trigger message_search_insert;
drop trigger message_search_update;
drop trigger message_search_delete;

-- A row number at or below the mark would never be indexed: after a delete of the
-- newest rows, numbering goes on from the mark rather than reusing theirs.
create trigger message_search_insert after insert on messages begin
    insert into message_search_rows (id, message_id) values (
        max((select coalesce(max(id), 0) from message_search_rows),
            (select indexed_upto from message_search_state)) + 1,
        new.id);
end;

-- Only a message already in the index is re-indexed here; one still waiting is
-- indexed with whatever text it has by then.
create trigger message_search_update after update of text on messages
when old.text is not new.text
    and (select id from message_search_rows where message_id = new.id)
        <= (select indexed_upto from message_search_state)
begin
    delete from message_search where rowid = (select id from message_search_rows where message_id = new.id);
    insert into message_search (rowid, text)
        select id, new.text from message_search_rows where message_id = new.id;
end;

create trigger message_search_delete after delete on messages begin
    delete from message_search
        where rowid = (select id from message_search_rows where message_id = old.id)
          and rowid <= (select indexed_upto from message_search_state);
    delete from message_search_rows where message_id = old.id;
end;
