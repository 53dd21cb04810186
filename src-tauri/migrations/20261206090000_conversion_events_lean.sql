-- Conversion events cost less to keep. The events table is rebuilt:
-- - user_data may be packed (each hash as its 32 bytes: see capi::user_data). Rows queued before
--   keep their JSON text, which is read as it was.
-- - status is checked without an IN list, for which SQLite built a temporary index on every insert.
-- - the send that carried an event moves to a table of its own, so that recording a batch writes a
--   page of small rows rather than rewriting every event of it.
-- - an event's people are rows numbered from the event's id: a new event's are appended, where a
--   key on (event, hash) was a second tree to insert each into, and they go with it by a trigger.
-- The events' people and sends are carried over, and row ids go on from where they were: an
-- unanswered send names its events by them.
CREATE TEMP TABLE capi_events_before AS SELECT * FROM capi_events;
CREATE TEMP TABLE capi_event_people_before AS SELECT * FROM capi_event_people;
CREATE TEMP TABLE capi_events_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'capi_events';

DROP INDEX capi_events_send;
-- Put back below, once their events are.
DROP TABLE capi_event_people;
DROP TABLE capi_events;

CREATE TABLE capi_events (
    -- Never reused: an unanswered send names its events by these ids.
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
    -- pending: to send, unless capi_event_sends has it as sent; invalid: never sent (problem).
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'invalid'),
    queued_at       TEXT NOT NULL,
    -- Found unsendable when it was to be sent (too old, handed to Meta too long ago, refused by
    -- Meta): reading the row again does not bring it back.
    refused_at_send INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO capi_events (id, client_id, event_name, event_id, dedup, event_time, action_source, source, user_data,
        custom_data, problem, status, queued_at, refused_at_send)
    SELECT id, client_id, event_name, event_id, dedup, event_time, action_source, source, user_data, custom_data,
        problem, CASE status WHEN 'sent' THEN 'pending' ELSE status END, queued_at, refused_at_send
    FROM temp.capi_events_before;
DELETE FROM sqlite_sequence WHERE name = 'capi_events';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'capi_events', max(coalesce((SELECT seq FROM temp.capi_events_sequence), 0),
        coalesce((SELECT max(id) FROM capi_events), 0));

-- The people of event E are rows E × 64 to E × 64 + 63 (capi::events::PEOPLE_PER_EVENT).
CREATE TABLE capi_event_people (
    slot INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
) STRICT;
CREATE INDEX capi_event_people_hash ON capi_event_people(hash);
CREATE TRIGGER capi_event_people_go AFTER DELETE ON capi_events BEGIN
    DELETE FROM capi_event_people WHERE slot BETWEEN OLD.id * 64 AND OLD.id * 64 + 63;
END;
INSERT INTO capi_event_people (slot, hash)
    SELECT event * 64 + n, hash FROM (
        SELECT event, hash, row_number() OVER (PARTITION BY event ORDER BY hash) - 1 AS n
        FROM temp.capi_event_people_before
    ) WHERE n < 64;

-- No cascade from the send: an event Meta took stays taken while it is kept.
CREATE TABLE capi_event_sends (
    event   INTEGER PRIMARY KEY REFERENCES capi_events(id) ON DELETE CASCADE,
    send_id INTEGER NOT NULL REFERENCES capi_sends(id)
) STRICT;
CREATE INDEX capi_event_sends_send ON capi_event_sends(send_id);
INSERT INTO capi_event_sends (event, send_id)
    SELECT id, send_id FROM temp.capi_events_before WHERE status = 'sent' AND send_id IS NOT NULL;

DROP TABLE temp.capi_events_before;
DROP TABLE temp.capi_event_people_before;
DROP TABLE temp.capi_events_sequence;
