-- Which Pages, WhatsApp accounts and businesses each permission was granted for, as debug_token's
-- granular_scopes says: JSON [{"scope": …, "target_ids": […]}]. An empty list: granted for all.
ALTER TABLE meta_connections ADD COLUMN granted_targets TEXT NOT NULL DEFAULT '[]';
