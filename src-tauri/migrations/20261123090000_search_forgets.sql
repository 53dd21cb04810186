-- Full-text search forgets for good. A deleted lead's words are only marked in a tombstone and stay
-- in the index until its segments are merged, so an erased person's words stayed readable in the
-- database file. Erasures, corrections, client removals and purges now end by rewriting the index
-- ('optimize'), which leaves out every tombstoned row; secure_delete zeroes the pages it frees.
-- This does it once for the words tombstoned so far.
INSERT INTO leads_fts (leads_fts) VALUES ('optimize');

-- Set only inside a purge's transaction, which removes the words and the identifiers of all the
-- leads it purges in statements of their own (identifiers in ordered passes over their index)
-- rather than lead by lead.
CREATE TABLE bulk_forget (
    one     INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
    active  INTEGER NOT NULL CHECK (active IN (0, 1))
) STRICT;
INSERT INTO bulk_forget (one, active) VALUES (1, 0);

DROP TRIGGER leads_forget;
CREATE TRIGGER leads_forget AFTER DELETE ON leads WHEN (SELECT active FROM bulk_forget) = 0 BEGIN
    DELETE FROM leads_fts WHERE rowid = old.id;
    DELETE FROM identities WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
END;
CREATE TRIGGER leads_forget_runs AFTER DELETE ON leads BEGIN
    INSERT INTO identity_run_dropped (hash, lead_id, upto)
        SELECT h.hash, old.id, r.upto
        FROM (SELECT old.id_hash AS hash UNION ALL SELECT old.email_hash UNION ALL SELECT old.phone_hash) AS h,
             (SELECT max(run) AS upto FROM identity_run_list) AS r
        WHERE h.hash IS NOT NULL AND r.upto IS NOT NULL
        ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto;
END;
