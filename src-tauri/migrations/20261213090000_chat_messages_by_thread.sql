-- A message is found by one key, its thread's id, its time and its remote id: what makes importing
-- the same messages again add nothing, and what reads a thread's messages in order, its first and
-- last among them. Two keys (time first for idempotency, thread first for reading) cost an import
-- a second index written in random order with every message.
--
-- A thread's span is no longer kept beside it: its first and last message are read from the key,
-- so a span is always that of the messages held, and an import does not rewrite every thread it
-- touched at each commit.
--
-- A thread's messages go with it by a trigger rather than a foreign key, which looked the thread
-- up again with every message stored; the only writer of messages stores them in threads it has
-- just read or made.

DROP TRIGGER chat_messages_forget;

CREATE TABLE chat_messages_by_thread (
    id            INTEGER PRIMARY KEY,
    thread_id     INTEGER NOT NULL,
    -- Meta's message id; for an export line, a digest of its time, author, text and repetition.
    remote_id     TEXT NOT NULL,
    sent_at       INTEGER NOT NULL,
    -- As the source names them; NULL for WhatsApp's own lines ("Messages are end-to-end encrypted").
    author        TEXT,
    from_business INTEGER NOT NULL CHECK (from_business IN (0, 1)),
    -- text, media, system, or the kind WhatsApp names (image, button, …).
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    -- 1 when the source's text was cut or was not UTF-8.
    damaged       INTEGER NOT NULL DEFAULT 0 CHECK (damaged IN (0, 1)),
    UNIQUE (thread_id, sent_at, remote_id)
) STRICT;

-- The same ids: they are the search index's rowids.
INSERT INTO chat_messages_by_thread (id, thread_id, remote_id, sent_at, author, from_business, kind, body, damaged)
    SELECT id, thread_id, remote_id, sent_at, author, from_business, kind, body, damaged FROM chat_messages;
DROP TABLE chat_messages;
ALTER TABLE chat_messages_by_thread RENAME TO chat_messages;

-- The search index reads its text from the messages rather than keeping what each message was
-- for deleting it: a contentless index with deletes kept a row per message beside its words, which
-- cost an import a tenth of its time. A removed message's words are taken out by giving the index
-- its text again, and every removal ends by rewriting the index ('optimize'), which leaves nothing
-- of them behind. (FTS5's secure-delete is not used: with an index that reads its text from a table
-- it leaves the index failing FTS5's own integrity check.) Messages with no text have no words.
DROP TABLE chat_words;
CREATE VIRTUAL TABLE chat_words USING fts5(body, content = 'chat_messages', content_rowid = 'id',
    columnsize = 0, detail = none, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO chat_words (rowid, body) SELECT id, body FROM chat_messages WHERE body <> '';
CREATE TRIGGER chat_messages_forget AFTER DELETE ON chat_messages WHEN old.body <> '' BEGIN
    INSERT INTO chat_words (chat_words, rowid, body) VALUES ('delete', old.id, old.body);
END;
-- A message is kept as it was said or erased: were its text changed, the index could no longer
-- take its old words out.
CREATE TRIGGER chat_messages_kept BEFORE UPDATE OF body ON chat_messages BEGIN
    SELECT RAISE(ABORT, 'a message''s text is kept as it was said');
END;
CREATE TRIGGER chat_threads_forget AFTER DELETE ON chat_threads BEGIN
    DELETE FROM chat_messages WHERE thread_id = old.id;
END;

DROP INDEX chat_threads_last;
ALTER TABLE chat_threads DROP COLUMN first_at;
ALTER TABLE chat_threads DROP COLUMN last_at;
