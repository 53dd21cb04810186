-- Legal holds: records under a hold are never purged. A hold covers a client (all its data) or a
-- person, named by the keyed hashes of their identifiers only. `until` is the last day it holds
-- (YYYY-MM-DD); without it, it holds until removed.
CREATE TABLE holds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   TEXT REFERENCES clients(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    until       TEXT,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE hold_identifiers (
    hold_id  INTEGER NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
    kind     INTEGER NOT NULL,                  -- identity::Kind
    hash     BLOB NOT NULL,
    PRIMARY KEY (hold_id, hash)
) STRICT;
CREATE INDEX hold_identifiers_hash ON hold_identifiers(hash);
