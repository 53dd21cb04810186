-- The CRM's fields as read when a mapping version was kept and checked against them: a push sends
-- by them without asking the CRM for its schema again. NULL for versions kept before this column.
ALTER TABLE crm_mappings ADD COLUMN schema TEXT;
