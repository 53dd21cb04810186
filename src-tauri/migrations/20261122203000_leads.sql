-- The country whose calling code national phone numbers of this client's leads get (ISO 3166 alpha-2).
ALTER TABLE clients ADD COLUMN country TEXT;

-- One row per import run: where it came from and what it did. Counts only, never content.
CREATE TABLE imports (
    id           TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    file_size    INTEGER NOT NULL,
    format       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,             -- running, completed, cancelled, failed
    rows_read    INTEGER NOT NULL DEFAULT 0,
    imported     INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    test_leads   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX imports_client ON imports(client_id);

-- Why a row was not imported: its line and a reason that never quotes the row.
CREATE TABLE import_rejections (
    import_id    TEXT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    reason       TEXT NOT NULL
) STRICT;
CREATE INDEX import_rejections_import ON import_rejections(import_id);

-- Leads. `lead_key` is Meta's lead id, or `h:<content hash>` for a row without one; re-importing
-- the same lead updates this row rather than adding another.
CREATE TABLE leads (
    id             INTEGER PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    lead_key       TEXT NOT NULL,
    meta_id        TEXT,
    created_time   TEXT NOT NULL,          -- as Meta wrote it, with its offset
    created_unix   INTEGER NOT NULL,
    ad_id          TEXT NOT NULL,
    ad_name        TEXT NOT NULL,
    adset_id       TEXT NOT NULL,
    adset_name     TEXT NOT NULL,
    campaign_id    TEXT NOT NULL,
    campaign_name  TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_name      TEXT NOT NULL,
    is_organic     INTEGER,
    platform       TEXT NOT NULL,
    lead_status    TEXT NOT NULL,
    is_test        INTEGER NOT NULL,
    full_name      TEXT NOT NULL,
    email          TEXT NOT NULL,
    phone          TEXT NOT NULL,
    answers        TEXT NOT NULL,          -- JSON [[question, answer], ...] in the file's order
    content_hash   TEXT NOT NULL,
    import_id      TEXT,
    source_file    TEXT NOT NULL,
    source_line    INTEGER NOT NULL,
    imported_at    TEXT NOT NULL,
    UNIQUE (client_id, lead_key)
) STRICT;
CREATE INDEX leads_created ON leads(created_unix, id);
CREATE INDEX leads_client_created ON leads(client_id, created_unix, id);

-- The identity index: keyed hashes of normalised identifiers (see src-tauri/identity).
CREATE TABLE identities (
    hash     BLOB NOT NULL,
    lead_id  INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    kind     INTEGER NOT NULL,
    PRIMARY KEY (hash, lead_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX identities_lead ON identities(lead_id);

-- Full-text search over every answer. Contentless, so the text lives only in the index, and
-- secure-delete, so an erased lead leaves no tokens behind.
CREATE VIRTUAL TABLE leads_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO leads_fts(leads_fts, rank) VALUES ('secure-delete', 1);
