-- The app lock's settings, and its wrong passphrases: how many since the last right one and until
-- when tries pause (seconds since 1970), so that a restart does not give fresh tries. The
-- passphrase is never here: only its Argon2id hash, in the OS keychain under purpose `app-lock`.
CREATE TABLE app_lock (
    one           INTEGER PRIMARY KEY CHECK (one = 1),
    idle_minutes  INTEGER NOT NULL DEFAULT 10 CHECK (idle_minutes BETWEEN 1 AND 240),
    failures      INTEGER NOT NULL DEFAULT 0,
    paused_until  INTEGER
) STRICT;
