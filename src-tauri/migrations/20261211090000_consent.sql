-- The consent register (src-tauri/consent/): each opt-in or opt-out a person gave for a marketing
-- channel, with its proof. Entries are never changed: a later one supersedes an earlier one.
CREATE TABLE consent_entries (
    id          INTEGER PRIMARY KEY,
    -- The business the person answered; NULL for every client (an objection, or an opt-out an
    -- admin recorded for all of them).
    client_id   TEXT REFERENCES clients(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL
        CHECK (channel IN ('whatsapp_marketing', 'messenger_marketing', 'email_marketing')),
    opted_in    INTEGER NOT NULL CHECK (opted_in IN (0, 1)),
    -- Seconds since 1970: when the person said so.
    said_at     INTEGER NOT NULL,
    -- When it was recorded here, RFC 3339.
    recorded_at TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('lead_form', 'message', 'admin', 'objection')),
    -- The proof in words: the form and its question with the answer, the message, the reason.
    proof       TEXT NOT NULL,
    -- The person's identifiers as given: a JSON list of {"kind", "value"}.
    identifiers TEXT NOT NULL,
    -- Their keyed hashes (16 bytes each): what a look-up, a request and a sender find it by.
    people      BLOB NOT NULL,
    -- The objection request that recorded it.
    request_id  INTEGER,
    -- What it was read from (a lead's answer, a message), so that reading it again adds nothing;
    -- NULL for an admin's entry.
    origin      TEXT UNIQUE
) STRICT;
CREATE INDEX consent_entries_client ON consent_entries(client_id);

CREATE TABLE consent_people (
    hash      BLOB NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES consent_entries(id) ON DELETE CASCADE,
    PRIMARY KEY (hash, entry_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX consent_people_entry ON consent_people(entry_id);
