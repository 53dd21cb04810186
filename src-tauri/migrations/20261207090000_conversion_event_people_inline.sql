-- An event's people (the keyed hashes of the persons it is about) are kept in the event's row, their
-- 16-byte hashes one after another, instead of as rows of their own with an index by hash. That
-- index took each new event's people at random places, which cost more to write than the rest of
-- the event; a request reads the short-lived event log through instead (capi::events).
ALTER TABLE capi_events ADD COLUMN people BLOB NOT NULL DEFAULT x'';

-- Concatenating reads blobs as text and back without changing a byte.
UPDATE capi_events SET people = coalesce((
    SELECT CAST(group_concat(CAST(p.hash AS TEXT), '') AS BLOB) FROM capi_event_people AS p
    WHERE p.slot BETWEEN capi_events.id * 64 AND capi_events.id * 64 + 63
), x'');

DROP TRIGGER capi_event_people_go;
DROP TABLE capi_event_people;
