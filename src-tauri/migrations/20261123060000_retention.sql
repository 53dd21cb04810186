-- How long each kind of data is kept: a workspace default per kind (client_id NULL), overridable per
-- client. Every change is audited with who and why; `reason` keeps the why beside the figure.
CREATE TABLE retention_policies (
    kind        TEXT NOT NULL,
    client_id   TEXT REFERENCES clients(id) ON DELETE CASCADE,
    days        INTEGER NOT NULL CHECK (days BETWEEN 1 AND 36500),
    reason      TEXT NOT NULL,
    set_at      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX retention_policies_scope ON retention_policies(kind, coalesce(client_id, ''));
INSERT INTO retention_policies (kind, client_id, days, reason, set_at) VALUES
    ('leads', NULL, 90, 'leads at most 90 days from their created time', '2026-11-23T00:00:00Z'),
    ('conversion_events', NULL, 30, 'conversion event logs 30 days', '2026-11-23T00:00:00Z'),
    ('request_records', NULL, 730, 'request records 24 months', '2026-11-23T00:00:00Z'),
    ('audit_entries', NULL, 730, 'audit entries 24 months', '2026-11-23T00:00:00Z');

-- Request records age from when they were closed; open ones are never due.
CREATE INDEX requests_closed ON requests(closed_at);
