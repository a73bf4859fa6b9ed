-- Full-text search of message texts: an index on an expression, so there is nothing to
-- keep in sync (each insert, edit and delete updates it in its own transaction) and no
-- column to copy. The 'simple' configuration lower-cases and stems nothing, so names,
-- code and URLs stay as written; everything but letters and digits becomes a space
-- first, so tokens are the runs of letters and digits, as in the SQLite store
-- (`natter.toml` is the tokens `natter` `toml`, found by the phrase of both). The
-- expression is repeated exactly in `search.rs`, where the planner must recognise it.
create index messages_search_idx on messages
    using gin (to_tsvector('simple'::regconfig, regexp_replace(text, '[^[:alnum:]]+', ' ', 'g')));
