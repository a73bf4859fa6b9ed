-- Notification settings: a soft sound on a new message in a chat not being viewed, and
-- the browser's notifications while natter's tab is hidden (the browser still asks for
-- permission; this says whether the person wants them at all).
alter table user_settings add column sound integer not null default 1;
alter table user_settings add column desktop integer not null default 1;
