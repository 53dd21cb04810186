-- Clients: the advertisers an agency works for. Every kind of personal data belongs to one.
CREATE TABLE clients (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE,
    created_at  TEXT NOT NULL
) STRICT;

-- The audit trail: a SHA-256 hash chain. Each entry's hash covers its own fields and the previous
-- entry's hash. People are named only by keyed hashes (subject), never by their data.
CREATE TABLE audit_entries (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    subject     TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
) STRICT;

-- The newest entry's position and hash, written with every append. Cutting entries off the end of
-- the chain leaves this pointing past them, which verification reports.
CREATE TABLE audit_head (
    one         INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
