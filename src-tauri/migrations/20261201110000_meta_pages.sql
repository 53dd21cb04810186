-- The Facebook Pages the connections reach, each assignable to a client, and their lead forms
-- (Instagram forms included), each synced or not. Page tokens are in the keychain only.
CREATE TABLE meta_pages (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    category       TEXT,
    connection_id  TEXT NOT NULL REFERENCES meta_connections(id) ON DELETE CASCADE,
    client_id      TEXT REFERENCES clients(id) ON DELETE SET NULL,
    seen_at        TEXT NOT NULL
) STRICT;

CREATE TABLE meta_forms (
    id             TEXT PRIMARY KEY,
    page_id        TEXT NOT NULL REFERENCES meta_pages(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    status         TEXT,
    leads_count    INTEGER,
    sync           INTEGER NOT NULL DEFAULT 0 CHECK (sync IN (0, 1)),
    -- The newest lead's created time stored from this form, seconds since 1970: a sync asks Meta
    -- for leads created after it (less an overlap).
    watermark      INTEGER,
    last_synced_at TEXT,
    seen_at        TEXT NOT NULL
) STRICT;
CREATE INDEX meta_forms_page ON meta_forms(page_id);
