-- CRM stages sent as Conversion Leads events. Per client and CRM connection, the record field that
-- holds a lead's stage and the stages Meta is told of.
CREATE TABLE capi_stage_rules (
    client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    -- JSON array of the stages sent, as the CRM writes them.
    stages        TEXT NOT NULL,
    set_at        TEXT NOT NULL,
    PRIMARY KEY (client_id, connection_id)
) STRICT;

-- The stage each lead's record was last seen at: a change from it is an event. It goes with the
-- lead (erased, purged or removed with it) and with the connection.
CREATE TABLE capi_stage_seen (
    connection_id TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
    lead_id       INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    -- The record it was seen on: a lead pushed again to a new record starts again from there.
    remote_id     TEXT NOT NULL,
    stage         TEXT NOT NULL,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (connection_id, lead_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX capi_stage_seen_lead ON capi_stage_seen(lead_id);
