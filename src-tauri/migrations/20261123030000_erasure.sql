-- People who had their data erased, as keyed hashes of their identifiers only: an import or sync
-- skips any record carrying one of them, so erased data does not come back.
CREATE TABLE suppressions (
    hash        BLOB PRIMARY KEY NOT NULL,
    kind        INTEGER NOT NULL,               -- identity::Kind
    request_id  INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    added_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- What each erasure deleted, for the receipt handed back. No personal data: counts by kind, the
-- actor, and the audit chain's head after the erasure.
CREATE TABLE erasure_receipts (
    code        TEXT PRIMARY KEY NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    erased_at   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    deleted     TEXT NOT NULL,                  -- JSON [{"kind", "label", "count"}, ...]
    suppressed  INTEGER NOT NULL,
    audit_seq   INTEGER NOT NULL,
    audit_hash  TEXT NOT NULL
) STRICT;
CREATE INDEX erasure_receipts_request ON erasure_receipts(request_id);

-- Rows an import skipped because they carry a suppressed identifier.
ALTER TABLE imports ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
