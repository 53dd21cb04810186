-- Whether a connection's client's new leads are pushed to it after each import and sync.
ALTER TABLE crm_connections ADD COLUMN auto_push INTEGER NOT NULL DEFAULT 0;
