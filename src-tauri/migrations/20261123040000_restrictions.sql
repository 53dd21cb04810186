-- People who restricted processing or objected to it (or withdrew consent), as keyed hashes of
-- their identifiers: every later push or send to a third party checks this list and skips them.
CREATE TABLE restrictions (
    hash        BLOB PRIMARY KEY NOT NULL,
    kind        INTEGER NOT NULL,               -- identity::Kind
    request_id  INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    added_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;
