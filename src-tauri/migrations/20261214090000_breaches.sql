-- Personal-data breaches, each recorded whether notified or not (GDPR Art. 33(5)). The 72 hours
-- to tell the supervisory authority count from `aware_at`. Clients and kinds are kept by name, as
-- recorded: the record outlives a client's removal.
CREATE TABLE breaches (
    id             INTEGER PRIMARY KEY,
    -- When the agency became aware, seconds since 1970, and the offset from UTC it was given in
    -- (minutes), to show it as written.
    aware_at       INTEGER NOT NULL,
    aware_offset   INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    clients        TEXT NOT NULL DEFAULT '[]',
    kinds          TEXT NOT NULL DEFAULT '[]',
    -- The window of the data concerned, YYYY-MM-DD, both or neither.
    since          TEXT,
    until          TEXT,
    -- When the authority and the people affected were told, as given (a date, or RFC 3339), and
    -- why the authority was told after the 72 hours.
    authority_on   TEXT,
    authority_late INTEGER NOT NULL DEFAULT 0,
    late_reason    TEXT,
    subjects_on    TEXT,
    closed_at      TEXT,
    created_at     TEXT NOT NULL
) STRICT;
