-- A push's result for each lead costs less to write. The table is rebuilt keyed by its primary
-- key alone (WITHOUT ROWID): a row was inserted into the table and again into the index of its
-- key, and is now inserted once. Its status is checked without an IN list, for which SQLite built
-- a temporary index on every insert. Rows, indexes and cascades are as before.
CREATE TABLE crm_push_results_keyed (
    push_id        INTEGER NOT NULL REFERENCES crm_pushes(id) ON DELETE CASCADE,
    lead_id        INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status = 'created' OR status = 'updated' OR status = 'failed'),
    -- The CRM's words, or the mapping's, for a failure.
    message        TEXT,
    PRIMARY KEY (push_id, lead_id)
) STRICT, WITHOUT ROWID;
INSERT INTO crm_push_results_keyed (push_id, lead_id, status, message)
    SELECT push_id, lead_id, status, message FROM crm_push_results;
DROP TABLE crm_push_results;
ALTER TABLE crm_push_results_keyed RENAME TO crm_push_results;
CREATE INDEX crm_push_results_lead ON crm_push_results(lead_id);
