-- Bulk removals (a purge, a client's removal) delete their leads' search words and identifiers in
-- statements of their own, with the leads' triggers set aside inside their transaction
-- (src-tauri/leads/forget.rs), so the flag that told the trigger to stand aside goes.
DROP TRIGGER leads_forget;
CREATE TRIGGER leads_forget AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.id;
    DELETE FROM identities WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
END;
DROP TABLE bulk_forget;
