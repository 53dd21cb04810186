-- Pixels (datasets) of the businesses the Meta connections reach, who can reach each, and every
-- operation on them. None of it is personal data: it is who in which business may see what.
CREATE TABLE pixels (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- The business that listed it, and as what: its own pixel, or a client's shared with it.
    business_id     TEXT NOT NULL,
    relation        TEXT NOT NULL CHECK (relation IN ('owned', 'client')),
    creation_time   TEXT,
    last_fired_time TEXT,
    -- The connection whose token reaches it, and so the client it works for.
    connection_id   TEXT NOT NULL,
    client_id       TEXT REFERENCES clients(id) ON DELETE SET NULL,
    listed_at       TEXT NOT NULL
) STRICT;

-- Who can reach a pixel: a partner business (with its tasks) or an ad account.
CREATE TABLE pixel_grants (
    pixel_id     TEXT NOT NULL REFERENCES pixels(id) ON DELETE CASCADE,
    grantee_kind TEXT NOT NULL CHECK (grantee_kind IN ('business', 'ad_account')),
    grantee_id   TEXT NOT NULL,
    -- JSON array of tasks, for a business.
    tasks        TEXT,
    -- When Custodian granted it, or first found it already there.
    granted_at   TEXT NOT NULL,
    by_custodian INTEGER NOT NULL,
    seen_at      TEXT NOT NULL,
    PRIMARY KEY (pixel_id, grantee_kind, grantee_id)
) STRICT;

-- Every list, share, revoke and create, with Meta's answer (in Custodian's words).
CREATE TABLE pixel_operations (
    id        INTEGER PRIMARY KEY,
    pixel_id  TEXT,
    operation TEXT NOT NULL CHECK (operation IN ('list', 'share', 'revoke', 'create')),
    target    TEXT,
    tasks     TEXT,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    outcome   TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
    answer    TEXT
) STRICT;
CREATE INDEX pixel_operations_pixel ON pixel_operations(pixel_id, id);
