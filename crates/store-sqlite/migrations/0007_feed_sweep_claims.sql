-- A sweeper claims the unconfirmed feed rows it is about to republish until
-- `swept_until`, so that sweepers on several nodes never publish one row together;
-- a sweeper that dies leaves its claim to run out.
alter table chat_events add column swept_until integer;
