-- Group chats: each member has a role there (a 1:1 chat's members are both 'member').
-- A group has one 'owner', who hands it on when leaving; the owner and 'admin's
-- manage it. A removed member's row goes: from then on they are not in the chat at all.
-- Changes of a group are system messages (kind 'system', their text a JSON note) with
-- feed rows of their own kinds, so they need no table of their own.
alter table chat_members add column role text not null default 'member';
