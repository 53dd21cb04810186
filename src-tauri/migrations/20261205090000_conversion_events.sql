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

CREATE TABLE capi_events (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    event_name      TEXT NOT NULL,
    -- Meta deduplicates on event_name + event_id: the same pair is never queued twice.
    event_id        TEXT NOT NULL,
    event_time      INTEGER NOT NULL,
    action_source   TEXT NOT NULL,
    -- Where it came from, in words ("offline.csv, line 4").
    source          TEXT NOT NULL,
    -- JSON object of Meta's user_data keys, hashed (lead_id plain, as Meta wants it).
    user_data       TEXT NOT NULL,
    custom_data     TEXT,
    -- Why it can never be sent, once known; it is then never sent.
    problem         TEXT,
    -- pending: to send; sending: handed to Meta, answer not yet recorded; sent; invalid (problem).
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'invalid')),
    queued_at       TEXT NOT NULL,
    -- The first time it was handed to Meta: past 48 hours, Meta would no longer recognise a resend.
    attempted_unix  INTEGER,
    sent_at         TEXT,
    sent_unix       INTEGER,
    dataset_id      TEXT,
    test_event_code TEXT,
    events_received INTEGER,
    fbtrace_id      TEXT,
    UNIQUE (client_id, event_name, event_id)
) STRICT;
CREATE INDEX capi_events_status ON capi_events(status, client_id);

CREATE TABLE capi_event_people (
    event INTEGER NOT NULL REFERENCES capi_events(id) ON DELETE CASCADE,
    hash  BLOB NOT NULL,
    PRIMARY KEY (event, hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX capi_event_people_hash ON capi_event_people(hash);

-- The event log is kept 30 days, as the policy of this kind always said.
INSERT INTO retention_policies (kind, client_id, days, reason, set_at)
    VALUES ('conversion_events', NULL, 30, 'conversion event logs 30 days', '2026-12-05T00:00:00Z');
