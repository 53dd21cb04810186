-- What a breach notification states (GDPR Art. 33(3)), filled in as it becomes known (33(4)):
-- the systems concerned, the likely consequences, the measures taken or proposed, and whom to
-- contact; and the count of people and records affected, as last assessed.
ALTER TABLE breaches ADD COLUMN systems TEXT NOT NULL DEFAULT '[]';
ALTER TABLE breaches ADD COLUMN consequences TEXT;
ALTER TABLE breaches ADD COLUMN measures TEXT;
ALTER TABLE breaches ADD COLUMN contact TEXT;
ALTER TABLE breaches ADD COLUMN people INTEGER;
ALTER TABLE breaches ADD COLUMN records INTEGER;
-- Each kind's records counted, as JSON [{"kind":…,"records":…}], and the kinds chosen that are not
-- counted here; when, RFC 3339.
ALTER TABLE breaches ADD COLUMN assessment TEXT;
ALTER TABLE breaches ADD COLUMN assessed_at TEXT;

-- The people a breach affects, each by the keyed hashes of their identifiers: `person` numbers them
-- within the breach, so that erasing one of a person's hashes takes all of theirs. `leaked` marks
-- those named by a leaked file or list, which a recount keeps.
CREATE TABLE breach_people (
    breach_id  INTEGER NOT NULL REFERENCES breaches(id) ON DELETE CASCADE,
    person     INTEGER NOT NULL,
    hash       BLOB NOT NULL,
    leaked     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (breach_id, person, hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX breach_people_hash ON breach_people(hash);

-- Breach records are kept five years after they are closed; open ones are never due.
INSERT INTO retention_policies (kind, client_id, days, reason, set_at)
    VALUES ('breach_lists', NULL, 1826, 'breach records five years after they are closed', '2026-12-15T00:00:00Z');
CREATE INDEX breaches_closed ON breaches(closed_at);
