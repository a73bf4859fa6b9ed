-- Job payloads are sealed by the server (a login mail carries its code): the column
-- now holds opaque bytes, erased once the job is done or dead. Payloads written before
-- this migration are plain text: they are erased here, and the jobs still pending are
-- given up (their codes are a few minutes old at most; asking again mails a new one).
update jobs set dead_at = coalesce(done_at, run_at), last_error = 'unsealed payload from before 0004'
 where done_at is null and dead_at is null;
update jobs set payload = x'';

-- Who holds a job: each claim writes a new lease id, and only its holder settles it.
alter table jobs add column lease_id text;

-- Dead letters are counted for /metrics.
create index jobs_dead_idx on jobs (dead_at) where dead_at is not null;
