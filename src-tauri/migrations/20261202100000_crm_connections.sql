-- Connections to clients' CRMs. The token is in the keychain only (purpose crm-token, this id).
CREATE TABLE crm_connections (
    id             TEXT PRIMARY KEY,
    crm            TEXT NOT NULL CHECK (crm IN ('hubspot', 'salesforce', 'pipedrive')),
    -- The client whose CRM it is; a removed client leaves the connection to be disconnected.
    client_id      TEXT REFERENCES clients(id) ON DELETE SET NULL,
    -- HubSpot's or Pipedrive's API address, or the Salesforce org's instance URL.
    base_url       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_ok_at     TEXT,
    -- Set when the CRM stops accepting the token: why, in words.
    invalid_reason TEXT
) STRICT;

-- Field mappings, per connection and lead form, every version kept: the newest is the one used.
CREATE TABLE crm_mappings (
    connection_id  TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
    form_id        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    mapping        TEXT NOT NULL,          -- JSON, as `crm map set` reads it
    saved_at       TEXT NOT NULL,
    PRIMARY KEY (connection_id, form_id, version)
) STRICT;
