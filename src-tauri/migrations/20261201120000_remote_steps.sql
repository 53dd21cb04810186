-- The steps a request takes at a remote service (deleting a person's leads at Meta), each with the
-- service's answer. The target (a lead's id at Meta) is kept only until the step is done.
CREATE TABLE remote_steps (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,             -- the kind of data whose holder takes the step
    action      TEXT NOT NULL,
    target      TEXT,
    place       TEXT,                      -- where it is held (a Page's id)
    status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    answer      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX remote_steps_request ON remote_steps(request_id);
