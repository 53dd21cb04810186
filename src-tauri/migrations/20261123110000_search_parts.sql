-- Full-text search in parts of 65,536 leads by id (src-tauri/leads/words.rs): an erasure rewrites
-- only the parts it touched, and a purge drops whole the parts whose leads all go. Each part
-- `leads_fts_<n>` brings its own trigger; the parts are made, and the whole index's words moved
-- into them, by the app when it opens the database (their number depends on the leads held).
CREATE TABLE search_parts (
    part   INTEGER PRIMARY KEY,            -- lead ids from part << 16 to (part + 1) << 16, excluded
    dirty  INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1))   -- holds removed rows' words until rewritten
) STRICT;

DROP TRIGGER leads_forget;
CREATE TRIGGER leads_forget AFTER DELETE ON leads BEGIN
    DELETE FROM identities WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
END;
