-- The agency's Meta app and its connections to Meta. Tokens are never here: each connection's token
-- is in the OS keychain under purpose `meta-token` and the connection's id.
CREATE TABLE meta_app (
    one            INTEGER PRIMARY KEY CHECK (one = 1),
    app_id         TEXT,
    graph_version  TEXT NOT NULL DEFAULT 'v25.0',
    graph_url      TEXT NOT NULL DEFAULT 'https://graph.facebook.com'
) STRICT;
INSERT INTO meta_app (one) VALUES (1);

CREATE TABLE meta_connections (
    id             TEXT PRIMARY KEY,
    -- What Meta's debug_token said the token is: SYSTEM_USER, USER or PAGE.
    token_type     TEXT NOT NULL,
    -- Who Meta says it belongs to: the user or system user's id.
    meta_user_id   TEXT,
    app_id         TEXT NOT NULL,
    scopes         TEXT NOT NULL,          -- JSON array of scope names
    expires_at     INTEGER,                -- seconds since 1970; NULL never
    client_id      TEXT REFERENCES clients(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    last_ok_at     TEXT,
    -- Set when Meta reports the token invalid: why, in words; nothing calls with it until replaced.
    invalid_reason TEXT
) STRICT;
