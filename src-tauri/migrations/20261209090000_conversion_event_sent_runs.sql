-- What Meta took is kept as runs of consecutive event ids a send took, rather than a row an event:
-- a batch is most often one run, and a row an event, with its two foreign-key lookups and an index
-- entry, cost more to record than the rest of the send. Event ids are never given again
-- (AUTOINCREMENT), so every id within a run is an event that send took; one since erased or purged
-- is simply no longer there. Runs never overlap: an event is taken once.
CREATE TABLE capi_sent_runs (
    first   INTEGER PRIMARY KEY,
    last    INTEGER NOT NULL CHECK (last >= first),
    -- Only an answered send has runs, and such a send goes only once none of its events is kept
    -- (or with its client): the cascade never makes a kept event unsent.
    send_id INTEGER NOT NULL REFERENCES capi_sends(id) ON DELETE CASCADE
) STRICT;
CREATE INDEX capi_sent_runs_send ON capi_sent_runs(send_id);

-- Each send's events, in islands of consecutive ids.
INSERT INTO capi_sent_runs (first, last, send_id)
    SELECT min(event), max(event), send_id FROM (
        SELECT event, send_id, event - row_number() OVER (PARTITION BY send_id ORDER BY event) AS island
        FROM capi_event_sends
    ) GROUP BY send_id, island;

DROP INDEX capi_event_sends_send;
DROP TABLE capi_event_sends;
