-- Conversion events for Meta's Conversions API. Per client, the dataset (pixel) they go to; per
-- event, what is sent: its matching keys already normalised and hashed as Meta takes them, so that
-- no plain value is ever stored, and what Meta answered. The people an event is about are kept as
-- keyed hashes of the workspace, through which a request finds, and an erasure removes, them.
CREATE TABLE capi_datasets (
    client_id       TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    dataset_id      TEXT NOT NULL,
    test_event_code TEXT,
    set_at          TEXT NOT NULL
) STRICT;

-- A batch of events handed to Meta: noted before it goes (with the events' ids), answered once
-- Meta takes it. One left unanswered by a crash is sent again, with the same event ids, which Meta
-- recognises for 48 hours from its first attempt.
CREATE TABLE capi_sends (
    -- Never reused: an unanswered send names its events by these ids.
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    dataset_id      TEXT NOT NULL,
    test_event_code TEXT,
    -- JSON array of the events' row ids.
    events          TEXT NOT NULL,
    attempted_unix  INTEGER NOT NULL,
    answered_at     TEXT,
    answered_unix   INTEGER,
    events_received INTEGER,
    fbtrace_id      TEXT
) STRICT;
CREATE INDEX capi_sends_unanswered ON capi_sends(client_id) WHERE answered_at IS NULL;

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
    -- JSON object of Meta's user_data keys, hashed (lead_id plain, as Meta wants it).
    user_data       TEXT NOT NULL,
    custom_data     TEXT,
    -- Why it can never be sent, once known; it is then never sent.
    problem         TEXT,
    -- pending: to send (or in an unanswered send); sent (by send_id); invalid (problem).
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'invalid')),
    queued_at       TEXT NOT NULL,
    -- Found unsendable when it was to be sent (too old, handed to Meta too long ago, refused by
    -- Meta): reading the row again does not bring it back.
    refused_at_send INTEGER NOT NULL DEFAULT 0,
    send_id         INTEGER REFERENCES capi_sends(id)
) STRICT;
CREATE INDEX capi_events_send ON capi_events(send_id) WHERE send_id IS NOT NULL;

CREATE TABLE capi_event_people (
    event INTEGER NOT NULL REFERENCES capi_events(id) ON DELETE CASCADE,
    hash  BLOB NOT NULL,
    PRIMARY KEY (event, hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX capi_event_people_hash ON capi_event_people(hash);

-- The event log is kept 30 days, as the policy of this kind always said.
INSERT INTO retention_policies (kind, client_id, days, reason, set_at)
    VALUES ('conversion_events', NULL, 30, 'conversion event logs 30 days', '2026-12-05T00:00:00Z');
