-- Conversion event ids are given by capi::events::queue_now from the last id given, kept in a row
-- of its own, rather than by AUTOINCREMENT. AUTOINCREMENT looked up and rewrote the table's row
-- in sqlite_sequence with every event queued, which cost as much as a tenth of queuing one; the
-- row here is read and written once a chunk. Ids are still never given again: an unanswered send,
-- and each run of capi_sent_runs, names its events by them.
CREATE TABLE capi_event_ids (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    -- The last id given; an id is never below it, even once its event has gone.
    last INTEGER NOT NULL
) STRICT;
INSERT INTO capi_event_ids (one, last)
    SELECT 1, max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'capi_events'), 0),
        coalesce((SELECT max(id) FROM capi_events), 0));

CREATE TABLE capi_events_given (
    -- Given by capi::events::queue_now above capi_event_ids.last, never again.
    id              INTEGER PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    event_name      TEXT NOT NULL,
    -- Meta deduplicates on event_name + event_id: the same pair is never queued twice for a client.
    event_id        TEXT NOT NULL,
    -- The first 16 bytes of the SHA-256 of client id, event name and event id, each ended by a NUL:
    -- what keeps the pair unique, in an index a fifth the size of one on the three columns.
    dedup           BLOB NOT NULL UNIQUE,
    event_time      INTEGER NOT NULL,
    action_source   TEXT NOT NULL,
    -- Where it came from, in words ("offline.csv, line 4").
    source          TEXT NOT NULL,
    -- Meta's user_data keys, hashed (lead_id plain, as Meta wants it): packed as a BLOB, or the
    -- JSON text of a row queued before packing.
    user_data       ANY NOT NULL,
    custom_data     TEXT,
    -- Why it can never be sent, once known; it is then never sent.
    problem         TEXT,
    -- pending: to send, unless capi_sent_runs has it as taken; invalid: never sent (problem).
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'invalid'),
    queued_at       TEXT NOT NULL,
    -- Found unsendable when it was to be sent (too old, handed to Meta too long ago, refused by
    -- Meta): reading the row again does not bring it back.
    refused_at_send INTEGER NOT NULL DEFAULT 0,
    -- The keyed hashes of its people, 16 bytes each, one after another (capi::events).
    people          BLOB NOT NULL DEFAULT x''
) STRICT;

INSERT INTO capi_events_given (id, client_id, event_name, event_id, dedup, event_time, action_source, source,
        user_data, custom_data, problem, status, queued_at, refused_at_send, people)
    SELECT id, client_id, event_name, event_id, dedup, event_time, action_source, source, user_data, custom_data,
        problem, status, queued_at, refused_at_send, people
    FROM capi_events;

-- Nothing refers to the events by a foreign key (capi_sent_runs holds ranges of ids), so nothing
-- cascades from dropping them; their row of sqlite_sequence goes with them.
DROP TABLE capi_events;
ALTER TABLE capi_events_given RENAME TO capi_events;
