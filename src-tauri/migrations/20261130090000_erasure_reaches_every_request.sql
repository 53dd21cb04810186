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
