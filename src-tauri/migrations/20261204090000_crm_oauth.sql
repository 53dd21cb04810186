-- The agency's OAuth apps at each CRM, through which a connection is made in the system browser.
-- The app's client secret, when it has one, is in the keychain only (purpose crm-app-secret, the
-- CRM's name).
CREATE TABLE crm_apps (
    crm            TEXT PRIMARY KEY CHECK (crm IN ('hubspot', 'salesforce', 'pipedrive')),
    client_id      TEXT NOT NULL,
    -- Where the CRM's authorization server is, when not its own (a sandbox, a My Domain login).
    auth_url       TEXT,
    -- The loopback port of the redirect URL registered with the app; 0 takes any free port.
    redirect_port  INTEGER NOT NULL CHECK (redirect_port BETWEEN 0 AND 65535)
) STRICT;

-- A connection made through OAuth refreshes its access token at this address, as this app; its
-- refresh token is in the keychain only (purpose crm-refresh, the connection's id). Both are NULL
-- for a connection made with a token.
ALTER TABLE crm_connections ADD COLUMN token_url TEXT;
ALTER TABLE crm_connections ADD COLUMN oauth_client_id TEXT;
