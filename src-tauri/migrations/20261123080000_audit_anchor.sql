-- Where the audit chain starts once its oldest entries are purged by policy: the position and hash
-- of the last purged entry. The purge that moves it writes an audit entry quoting both, so
-- verification starts here and can tell a policy purge from entries cut off the front.
CREATE TABLE audit_anchor (
    one         INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

-- Each purge run, by hand or on schedule: when, how it ended and how much went, for the
-- dashboard's "last purge" and "next purge".
CREATE TABLE purge_runs (
    id          INTEGER PRIMARY KEY NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    automatic   INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    purged      INTEGER NOT NULL DEFAULT 0,
    error       TEXT
) STRICT;
