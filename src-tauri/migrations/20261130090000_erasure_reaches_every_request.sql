-- A receipt says whether the search found nothing and a person closed the request saying so.
ALTER TABLE erasure_receipts ADD COLUMN nothing_held INTEGER NOT NULL DEFAULT 0;

-- Erasures before this kept the person's identifiers, notes and reasons on their other requests
-- (an earlier access or rectification request). Every erased person's identifiers are suppressed:
-- any request naming one of them keeps only its hashes, dates, kinds, statuses and receipt codes.
CREATE TEMP TABLE erased_requests AS
    SELECT DISTINCT request_id AS id FROM request_identifiers WHERE hash IN (SELECT hash FROM suppressions);
UPDATE request_identifiers SET value = '' WHERE request_id IN (SELECT id FROM temp.erased_requests);
UPDATE requests SET verification_notes = '', extension_reason = NULL,
    outcome_reason = CASE WHEN outcome_reason IS NULL THEN NULL ELSE 'removed with the person''s data' END
    WHERE id IN (SELECT id FROM temp.erased_requests)
      AND id NOT IN (SELECT request_id FROM erasure_receipts);
DROP TABLE temp.erased_requests;

-- A lead changed by a data-subject correction: an import of the export it came from, which still
-- holds the old value, leaves it as corrected.
ALTER TABLE leads ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;

-- Where an import's file was, so that an interrupted import can be run again from the app or CLI.
ALTER TABLE imports ADD COLUMN path TEXT;

-- Partial export files being written outside the workspace: one a crash leaves behind is removed
-- at the next open.
CREATE TABLE export_partials (
    path  TEXT PRIMARY KEY NOT NULL
) STRICT;

-- A second email and phone of a lead (a form that asks for a work email or phone beside the
-- personal one) are indexed too, and forgotten with the lead like the first.
ALTER TABLE leads ADD COLUMN email2_hash BLOB;
ALTER TABLE leads ADD COLUMN phone2_hash BLOB;

DROP TRIGGER leads_forget;
CREATE TRIGGER leads_forget AFTER DELETE ON leads BEGIN
    DELETE FROM identities
        WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash, old.email2_hash, old.phone2_hash)
          AND lead_id = old.id;
END;

DROP TRIGGER leads_forget_runs;
CREATE TRIGGER leads_forget_runs AFTER DELETE ON leads BEGIN
    INSERT INTO identity_run_dropped (hash, lead_id, upto)
        SELECT h.hash, old.id, r.upto
        FROM (SELECT old.id_hash AS hash UNION ALL SELECT old.email_hash UNION ALL SELECT old.phone_hash
              UNION ALL SELECT old.email2_hash UNION ALL SELECT old.phone2_hash) AS h,
             (SELECT max(run) AS upto FROM identity_run_list) AS r
        WHERE h.hash IS NOT NULL AND r.upto IS NOT NULL
        ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto;
END;

-- Which rules of finding identifiers the identity index was built with. Version 2 indexes every
-- email and phone column (and emails in any column), places national phones with every country's
-- numbering plan, keeps unplaceable phones by their digits and reads `lead_id` as Meta's lead id.
-- A workspace that holds leads indexed by version 1 is indexed again once, from the stored answers.
CREATE TABLE identity_rules (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    version      INTEGER NOT NULL,
    done_through INTEGER NOT NULL DEFAULT 0     -- the last lead id indexed again, while it runs
) STRICT;
INSERT INTO identity_rules (one, version) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM leads) THEN 1 ELSE 2 END;
