-- Conversations on Messenger, Instagram and WhatsApp (src-tauri/chat/threads.rs): each thread is
-- a client's, with the people in it by keyed hashes only, and its messages as the source gave them.
CREATE TABLE chat_threads (
    id          INTEGER PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('messenger', 'instagram', 'whatsapp')),
    -- Meta's conversation id; for WhatsApp, the business number and the person's id, or the chat
    -- an export is of.
    remote_id   TEXT NOT NULL,
    -- Whom it is with, as the source names them.
    title       TEXT NOT NULL,
    -- Where it came from, in words.
    source      TEXT NOT NULL,
    -- Seconds since 1970: its first and last message. Retention ages a thread from its last.
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    -- The people in it as the source names them: a JSON list of {"kind", "id", "name"}, kind one
    -- of psid, wa_id, user_id, phone.
    participants TEXT NOT NULL DEFAULT '[]',
    -- Their keyed hashes (16 bytes each, never the business's): what finds the thread.
    people      BLOB NOT NULL DEFAULT x'',
    UNIQUE (client_id, channel, remote_id)
) STRICT;
CREATE INDEX chat_threads_last ON chat_threads(client_id, last_at);

-- The threads each person's hash is in: what a request looks a person up by.
CREATE TABLE chat_people (
    hash       BLOB NOT NULL,
    thread_id  INTEGER NOT NULL REFERENCES chat_threads(id) ON DELETE CASCADE,
    PRIMARY KEY (hash, thread_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_people_thread ON chat_people(thread_id);

CREATE TABLE chat_messages (
    id            INTEGER PRIMARY KEY,
    thread_id     INTEGER NOT NULL REFERENCES chat_threads(id) ON DELETE CASCADE,
    -- Meta's message id; for an export line, a digest of its time, author, text and repetition:
    -- what makes importing the same messages again add nothing.
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
    -- A message is its thread's remote id; the same message read again has the same time, so
    -- the time leads the key: messages come in about in time order, and the key then grows at
    -- its end rather than at random places.
    UNIQUE (sent_at, thread_id, remote_id)
) STRICT;
CREATE INDEX chat_messages_time ON chat_messages(thread_id, sent_at);

-- Full-text search over message bodies. Contentless (the text lives only in chat_messages) and
-- secure-delete, so that a removed message's words leave the index with it; removals end with a
-- rewrite ('optimize') all the same, as the leads' search does.
CREATE VIRTUAL TABLE chat_words USING fts5(body, content = '', contentless_delete = 1,
    detail = none, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO chat_words (chat_words, rank) VALUES ('secure-delete', 1);
CREATE TRIGGER chat_messages_forget AFTER DELETE ON chat_messages BEGIN
    DELETE FROM chat_words WHERE rowid = old.id;
END;

-- Conversations are kept a year after a thread's last message unless a policy says otherwise.
INSERT INTO retention_policies (kind, client_id, days, reason, set_at)
    VALUES ('conversations', NULL, 365, 'conversations a year after their last message', '2026-12-10T00:00:00Z');

-- How far each Page's conversations on each platform have been read: the newest updated_time of a
-- sync that read every thread updated since the last one.
CREATE TABLE chat_sync_marks (
    page_id    TEXT NOT NULL,
    platform   TEXT NOT NULL CHECK (platform IN ('messenger', 'instagram')),
    watermark  INTEGER NOT NULL,
    synced_at  TEXT NOT NULL,
    PRIMARY KEY (page_id, platform)
) STRICT;
