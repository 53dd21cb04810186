-- What each lead became in each CRM it was pushed to: the record's id there (so that an erasure
-- reaches it) and a hash of the fields last sent (so that an unchanged lead is not sent again).
-- Both go with the lead: erased, purged or removed with its client.
CREATE TABLE crm_records (
    connection_id  TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
    lead_id        INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    remote_id      TEXT NOT NULL,
    -- The keyed hash of the remote id, so that a request naming a CRM record id finds it.
    remote_hash    BLOB NOT NULL,
    -- NULL once the lead changed here (a correction): the next push sends it again.
    payload_hash   BLOB,
    pushed_at      TEXT NOT NULL,
    PRIMARY KEY (connection_id, lead_id)
) STRICT;
CREATE INDEX crm_records_lead ON crm_records(lead_id);
CREATE INDEX crm_records_remote ON crm_records(remote_hash);

-- Each push to one connection: when, and what came of it.
CREATE TABLE crm_pushes (
    id             INTEGER PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    created        INTEGER NOT NULL DEFAULT 0,
    updated        INTEGER NOT NULL DEFAULT 0,
    unchanged      INTEGER NOT NULL DEFAULT 0,
    withheld       INTEGER NOT NULL DEFAULT 0,
    not_mapped     INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    -- Why the push stopped before the end, when it did.
    stopped        TEXT
) STRICT;

-- What became of each lead a push sent or could not send. Goes with the lead.
CREATE TABLE crm_push_results (
    push_id        INTEGER NOT NULL REFERENCES crm_pushes(id) ON DELETE CASCADE,
    lead_id        INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('created', 'updated', 'failed')),
    -- The CRM's words, or the mapping's, for a failure.
    message        TEXT,
    PRIMARY KEY (push_id, lead_id)
) STRICT;
CREATE INDEX crm_push_results_lead ON crm_push_results(lead_id);
