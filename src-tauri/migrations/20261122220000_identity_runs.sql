-- Leads without what every lead of a file shares. The answer keys (the file's question columns) are
-- stored once in `answer_keys` and each lead keeps only its values, in the same order; the file name
-- and import time come from `imports` through `import_id`. Together that was half of every row.
CREATE TABLE answer_keys (
    id    INTEGER PRIMARY KEY,
    keys  TEXT NOT NULL UNIQUE              -- JSON ["question", ...]
) STRICT;
ALTER TABLE leads ADD COLUMN answer_keys INTEGER REFERENCES answer_keys(id);
INSERT OR IGNORE INTO answer_keys (keys)
    SELECT DISTINCT (SELECT json_group_array(j.value->>0) FROM json_each(l.answers) AS j) FROM leads AS l;
UPDATE leads SET
    answer_keys = (SELECT id FROM answer_keys
                   WHERE keys = (SELECT json_group_array(j.value->>0) FROM json_each(leads.answers) AS j)),
    answers = (SELECT json_group_array(j.value->>1) FROM json_each(leads.answers) AS j);

-- The identity index without per-row random writes. A bulk import appends each transaction's
-- identifiers, sorted, as a run in `identity_runs` (pure appends), and folds all runs into
-- `identities` in one sorted pass when it ends; lookups read both, so nothing is ever missed.
--
-- Each lead records its own hashes, so its entries are found by primary key when it changes or
-- goes, and `identities` needs neither a foreign key nor an index by lead (an index by lead would
-- be written in random order by the sorted pass).
ALTER TABLE leads ADD COLUMN id_hash BLOB;
ALTER TABLE leads ADD COLUMN email_hash BLOB;
ALTER TABLE leads ADD COLUMN phone_hash BLOB;
UPDATE leads SET
    id_hash    = (SELECT hash FROM identities WHERE lead_id = leads.id AND kind = 3),
    email_hash = (SELECT hash FROM identities WHERE lead_id = leads.id AND kind = 1),
    phone_hash = (SELECT hash FROM identities WHERE lead_id = leads.id AND kind = 2);

CREATE TABLE identities_sorted (
    hash     BLOB NOT NULL,
    lead_id  INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    PRIMARY KEY (hash, lead_id)
) STRICT, WITHOUT ROWID;
INSERT INTO identities_sorted SELECT hash, lead_id, kind FROM identities ORDER BY hash, lead_id;
DROP TABLE identities;
ALTER TABLE identities_sorted RENAME TO identities;

CREATE TABLE identity_runs (
    run      INTEGER NOT NULL,
    hash     BLOB NOT NULL,
    lead_id  INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    PRIMARY KEY (run, hash, lead_id)
) STRICT, WITHOUT ROWID;
-- The runs in `identity_runs`, so that a lead's entries are found by primary key in each run (an
-- index by lead would double the cost of writing a run).
CREATE TABLE identity_run_list (run INTEGER PRIMARY KEY) STRICT;

-- Clients get a small number for leads to carry: the client's id, a 36-character text, was in every
-- lead and in two of its indexes, a tenth of the database.
ALTER TABLE clients ADD COLUMN num INTEGER;
UPDATE clients SET num = rowid;
CREATE UNIQUE INDEX clients_num ON clients(num);
CREATE TRIGGER clients_number AFTER INSERT ON clients WHEN new.num IS NULL BEGIN
    UPDATE clients SET num = new.rowid WHERE rowid = new.rowid;
END;

-- Leads rebuilt with the client's number and without what moved elsewhere (the answer keys, the
-- file name and the import time).
CREATE TABLE leads_compact (
    id             INTEGER PRIMARY KEY,
    client_num     INTEGER NOT NULL REFERENCES clients(num) ON DELETE CASCADE,
    lead_key       TEXT NOT NULL,
    meta_id        TEXT,
    created_time   TEXT NOT NULL,          -- as Meta wrote it, with its offset
    created_unix   INTEGER NOT NULL,
    ad_id          TEXT NOT NULL,
    ad_name        TEXT NOT NULL,
    adset_id       TEXT NOT NULL,
    adset_name     TEXT NOT NULL,
    campaign_id    TEXT NOT NULL,
    campaign_name  TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_name      TEXT NOT NULL,
    is_organic     INTEGER,
    platform       TEXT NOT NULL,
    lead_status    TEXT NOT NULL,
    is_test        INTEGER NOT NULL,
    full_name      TEXT NOT NULL,
    email          TEXT NOT NULL,
    phone          TEXT NOT NULL,
    answer_keys    INTEGER REFERENCES answer_keys(id),
    answers        TEXT NOT NULL,          -- JSON [answer, ...] in the order of answer_keys
    content_hash   TEXT NOT NULL,
    import_id      TEXT,
    source_line    INTEGER NOT NULL,
    id_hash        BLOB,
    email_hash     BLOB,
    phone_hash     BLOB,
    UNIQUE (client_num, lead_key)
) STRICT;
INSERT INTO leads_compact
    SELECT l.id, c.num, l.lead_key, l.meta_id, l.created_time, l.created_unix, l.ad_id, l.ad_name, l.adset_id,
        l.adset_name, l.campaign_id, l.campaign_name, l.form_id, l.form_name, l.is_organic, l.platform,
        l.lead_status, l.is_test, l.full_name, l.email, l.phone, l.answer_keys, l.answers, l.content_hash,
        l.import_id, l.source_line, l.id_hash, l.email_hash, l.phone_hash
    FROM leads AS l JOIN clients AS c ON c.id = l.client_id ORDER BY l.id;
DROP TABLE leads;
ALTER TABLE leads_compact RENAME TO leads;
CREATE INDEX leads_created ON leads(created_unix, id);
CREATE INDEX leads_client_created ON leads(client_num, created_unix, id);

-- Full-text search without token positions (`detail = none`): searches are words and prefixes,
-- never phrases, and an index without positions is about half the size and the work to build.
-- Rebuilt from the stored answers, which also drops the tokens that a removed client's leads left
-- behind before the trigger below existed.
DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5(body, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO leads_fts(leads_fts, rank) VALUES ('secure-delete', 1);
-- Gather 8 MiB of terms in memory before writing a segment (1 MiB by default): a bulk import makes
-- an eighth of the segments, and an eighth of the merging.
INSERT INTO leads_fts(leads_fts, rank) VALUES ('hashsize', 8388608);
INSERT INTO leads_fts (rowid, body)
    SELECT l.id, (SELECT group_concat(j.value, char(10)) FROM json_each(l.answers) AS j WHERE j.value <> '')
    FROM leads AS l;

-- A lead that goes takes its search tokens and identifiers with it, whatever removed it (a client's
-- removal, an erasure, a purge).
CREATE TRIGGER leads_forget AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.id;
    DELETE FROM identities WHERE hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
    DELETE FROM identity_runs WHERE run IN (SELECT run FROM identity_run_list)
        AND hash IN (old.id_hash, old.email_hash, old.phone_hash) AND lead_id = old.id;
END;
