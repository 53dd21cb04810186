-- Runs of the identity index packed into blocks: a run was one B-tree row per identifier, written
-- at import and read back and deleted at the fold, a fifth of an import's time. A block holds a
-- few hundred sorted entries (hash, lead id, kind) in one row, so a run costs a few rows per
-- thousand identifiers.

-- Whatever an interrupted import left in the old runs goes into the index first.
INSERT INTO identities (hash, lead_id, kind)
    SELECT hash, lead_id, kind FROM identity_runs WHERE run IN (SELECT run FROM identity_run_list)
    ORDER BY hash, lead_id
    ON CONFLICT DO NOTHING;
DROP TABLE identity_runs;
DELETE FROM identity_run_list;

CREATE TABLE identity_run_blocks (
    run      INTEGER NOT NULL,
    first    BLOB NOT NULL,                 -- the first hash in the block
    entries  BLOB NOT NULL,                 -- sorted entries: hash, lead id (8 bytes, big-endian), kind
    PRIMARY KEY (run, first)
) STRICT;

-- Entries that stopped being true while they waited in a run (their lead changed or went): a
-- packed block cannot lose one, so lookups and the fold skip them in runs up to `upto`.
CREATE TABLE identity_run_dropped (
    hash     BLOB NOT NULL,
    lead_id  INTEGER NOT NULL,
    upto     INTEGER NOT NULL,
    PRIMARY KEY (hash, lead_id)
) STRICT, WITHOUT ROWID;

DROP TRIGGER leads_forget;
CREATE TRIGGER leads_forget AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.id;
    DELETE FROM identities WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
    INSERT INTO identity_run_dropped (hash, lead_id, upto)
        SELECT h.hash, old.id, r.upto
        FROM (SELECT old.id_hash AS hash UNION ALL SELECT old.email_hash UNION ALL SELECT old.phone_hash) AS h,
             (SELECT max(run) AS upto FROM identity_run_list) AS r
        WHERE h.hash IS NOT NULL AND r.upto IS NOT NULL
        ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto;
END;
