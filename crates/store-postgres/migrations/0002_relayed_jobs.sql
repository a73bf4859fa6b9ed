-- With a broker (NATTER_AMQP_URL) a job leaves the outbox once the broker confirmed it:
-- `relayed_at` says when. The broker's consumers settle it in this row as before
-- (done_at, dead_at), so a message the broker delivers twice is mailed once.
alter table jobs add column relayed_at bigint;

-- The outbox the relay and the embedded worker poll: relayed jobs are no longer in it.
drop index jobs_due_idx;
create index jobs_due_idx on jobs (run_at) where done_at is null and dead_at is null and relayed_at is null;
