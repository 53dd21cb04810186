-- Personal-data breaches, each recorded whether notified or not (GDPR Art. 33(5)). The 72 hours
-- to tell the supervisory authority count from `aware_at`.
CREATE TABLE breaches (
    id             INTEGER PRIMARY KEY,
    -- When the agency became aware, seconds since 1970, and the offset from UTC it was given in
    -- (minutes), to show it as written.
    aware_at       INTEGER NOT NULL,
    aware_offset   INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    -- The window of the data concerned, YYYY-MM-DD, both or neither.
    since          TEXT,
    until          TEXT,
    -- When the authority was told, RFC 3339 UTC, or a day (YYYY-MM-DD) well before the deadline;
    -- whether that was after the 72 hours, and why.
    authority_on   TEXT,
    authority_late INTEGER NOT NULL DEFAULT 0,
    late_reason    TEXT,
    -- When the people affected were told (Art. 34), as the authority's.
    subjects_on    TEXT,
    closed_at      TEXT,
    -- Why it was closed: for one the authority was not told of, why it needed no notification.
    close_reason   TEXT,
    created_at     TEXT NOT NULL
) STRICT;

-- The clients whose data a breach concerns. The name is kept as recorded: the record outlives
-- the client's removal, and a later client of the same name is not this one.
CREATE TABLE breach_clients (
    breach_id  INTEGER NOT NULL REFERENCES breaches(id) ON DELETE CASCADE,
    client_id  TEXT REFERENCES clients(id) ON DELETE SET NULL,
    name       TEXT NOT NULL
) STRICT;
CREATE INDEX breach_clients_breach ON breach_clients(breach_id);
CREATE INDEX breach_clients_client ON breach_clients(client_id);

-- The kinds of personal data a breach concerns, by their stable names.
CREATE TABLE breach_kinds (
    breach_id  INTEGER NOT NULL REFERENCES breaches(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    PRIMARY KEY (breach_id, kind)
) STRICT, WITHOUT ROWID;
