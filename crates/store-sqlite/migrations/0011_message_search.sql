-- Full-text search of message texts. The index holds no text of its own (contentless,
-- with deletes): its rows are numbered by `message_search_rows`, a stable integer per
-- message (the messages table has no integer key, and VACUUM may renumber its rowids).
-- Tokens are the runs of letters and digits, case-folded, diacritics kept (as the
-- PostgreSQL store's 'simple' configuration, so both find the same messages). The
-- triggers keep the index in the transaction of each insert, edit and delete; a
-- tombstone's text is empty, so a deleted message is found by nothing. Both tables are
-- derived: `natter migrate` does not copy them (the target indexes what it receives).
create table message_search_rows (
    id integer primary key,
    message_id text not null,
    constraint message_search_rows_message_key unique (message_id)
);
create virtual table message_search using fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

create trigger message_search_insert after insert on messages begin
    insert into message_search_rows (message_id) values (new.id);
    insert into message_search (rowid, text)
        select id, new.text from message_search_rows where message_id = new.id;
end;

create trigger message_search_update after update of text on messages when old.text is not new.text begin
    delete from message_search where rowid = (select id from message_search_rows where message_id = new.id);
    insert into message_search (rowid, text)
        select id, new.text from message_search_rows where message_id = new.id;
end;

create trigger message_search_delete after delete on messages begin
    delete from message_search where rowid = (select id from message_search_rows where message_id = old.id);
    delete from message_search_rows where message_id = old.id;
end;

-- The messages stored before this migration.
insert into message_search_rows (message_id) select id from messages order by chat_id, seq;
insert into message_search (rowid, text)
    select r.id, m.text from message_search_rows r join messages m on m.id = r.message_id;
