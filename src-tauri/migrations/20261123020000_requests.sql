-- Data-subject requests: who asked for what, under which law, by when it must be answered.
-- Ids are never reused (AUTOINCREMENT), because the audit trail names requests by id.
CREATE TABLE requests (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL CHECK (kind IN
                            ('access', 'portability', 'rectification', 'erasure', 'restriction', 'objection')),
    status              TEXT NOT NULL CHECK (status IN
                            ('received', 'verifying', 'in_progress', 'completed', 'denied')),
    regime              TEXT NOT NULL,          -- gdpr, ccpa or days:N
    received_on         TEXT NOT NULL,          -- YYYY-MM-DD, the day the request arrived
    extended            INTEGER NOT NULL DEFAULT 0,
    extension_reason    TEXT,
    client_id           TEXT REFERENCES clients(id) ON DELETE SET NULL,
    verification_notes  TEXT NOT NULL DEFAULT '',
    outcome_reason      TEXT,                   -- why it was denied, or a note on completion
    created_at          TEXT NOT NULL,
    closed_at           TEXT
) STRICT;
CREATE INDEX requests_client ON requests(client_id);

-- The identifiers the person gave, as given (to search systems that hold them as written) and as
-- the keyed hash the identity index uses.
CREATE TABLE request_identifiers (
    request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        INTEGER NOT NULL,               -- identity::Kind
    value       TEXT NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (request_id, position)
) STRICT;
CREATE INDEX request_identifiers_hash ON request_identifiers(hash);
