-- The app lock's settings. Its passphrase is never here: only its Argon2id hash, in the OS keychain
-- under purpose `app-lock`.
CREATE TABLE app_lock (
    one           INTEGER PRIMARY KEY CHECK (one = 1),
    idle_minutes  INTEGER NOT NULL CHECK (idle_minutes BETWEEN 1 AND 240)
) STRICT;
