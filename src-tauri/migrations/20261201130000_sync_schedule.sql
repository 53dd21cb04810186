-- How often the app syncs leads from Meta while it runs, in minutes; 0 turns it off.
ALTER TABLE meta_app ADD COLUMN sync_minutes INTEGER NOT NULL DEFAULT 15 CHECK (sync_minutes BETWEEN 0 AND 1440);
