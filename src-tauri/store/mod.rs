//! The encrypted database: SQLite through sqlx, encrypted by SQLCipher with a raw 256-bit key.
//!
//! This is the only module that opens connections. Capability modules receive a pool or a
//! transaction from here and own their own queries.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Sqlite, Transaction};

use crate::vault::Sensitive;

mod crypto;
mod memory;

/// Page cache per connection, in MiB.
const CACHE_MIB: i64 = 8;
/// The same, in KiB, as SQLite's negative `cache_size`.
const CACHE_KIB: i64 = -CACHE_MIB * 1024;
/// Page cache of the one connection doing a bulk write: a batch of imported leads dirties far
/// more than the everyday cache holds, which would spill and re-decrypt pages mid-batch.
const BULK_CACHE_MIB: i64 = 32;

/// SQLite's result code for "file is not a database": a wrong key, a damaged file or a file that
/// was never a Custodian database all look like this through SQLCipher.
const SQLITE_NOTADB: &str = "26";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "The database at {path} cannot be read with the key in the keychain: the key does not match \
         or the file is damaged. Custodian has not changed it. Restore the keychain entry or the file \
         from a backup, or move the data directory aside to start afresh."
    )]
    Unreadable { path: PathBuf },
    #[error("The database schema could not be brought up to date: {0}. Nothing was lost; report this with the workspace check's report.")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("The database failed: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("The database failed: {0}")]
    Direct(#[from] rusqlite::Error),
}

/// An open, migrated, encrypted database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// For the one connection that empties the WAL after the pool has closed.
    options: SqliteConnectOptions,
    path: PathBuf,
    waiting: Waiting,
}

/// How many of this process's writers are waiting for the write lock. SQLite's busy handler polls
/// at growing intervals, so a waiter would rarely hit the instant between two transactions of a
/// bulk writer; the bulk writer looks here after each commit and steps aside instead.
#[derive(Clone, Debug, Default)]
pub struct Waiting(Arc<AtomicUsize>);

/// The longest a bulk writer steps aside after a transaction.
const STEP_ASIDE: Duration = Duration::from_secs(2);

impl Waiting {
    /// Returns once no writer of this process is waiting, or after `STEP_ASIDE`.
    pub fn let_others_write(&self) {
        let until = Instant::now() + STEP_ASIDE;
        while self.0.load(Ordering::Acquire) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Counts a writer as waiting until it has the lock or gives up.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(count)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The version of the SQL engine and the cipher, for `doctor`.
#[derive(Debug)]
pub struct Engine {
    pub sqlite: String,
    pub cipher: String,
}

impl Store {
    /// Opens the database at `path` with `key`. `create` allows making a new file; an existing file is
    /// never replaced or rewritten when it cannot be read.
    #[tracing::instrument(skip_all, err)]
    pub async fn open(path: &Path, key: &Sensitive<[u8; 32]>, create: bool) -> Result<Self, StoreError> {
        crypto::no_cleanup_at_exit();
        memory::install();
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            // sqlx keeps `key` first among the pragmas, as SQLCipher requires. The value is quoted
            // so SQLCipher reads it as a raw key and skips its password derivation.
            .pragma("key", format!("\"x'{}'\"", hex::encode(key.expose())))
            // Fixed for the life of a database file. HMAC-SHA256 runs on the CPU's SHA extensions
            // where SHA-512 (SQLCipher 4's default) cannot, and 16 KiB pages mean a quarter of the
            // per-page encryption and authentication work for the same data.
            .pragma("cipher_hmac_algorithm", "HMAC_SHA256")
            .pragma("cipher_page_size", "16384")
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed change survives a power cut, not only a crash of the app.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .pragma("secure_delete", "ON")
            // Sorts and staging tables stay in memory: no personal data in temporary files.
            .pragma("temp_store", "MEMORY")
            // 8 MiB of page cache for everyday work; bulk writes raise their own (`Store::bulk`).
            .pragma("cache_size", CACHE_KIB.to_string())
            // Checkpoint every 16,384 pages (256 MiB of 16 KiB pages) rather than SQLite's 1,000:
            // pages rewritten by consecutive import batches reach the main file once per checkpoint
            // instead of once per batch.
            .pragma("wal_autocheckpoint", "16384")
            // After a checkpoint the WAL file is cut back to 64 MiB rather than keeping its largest
            // size, old page images and all, on disk.
            .pragma("journal_size_limit", (64 * 1024 * 1024).to_string())
            .busy_timeout(Duration::from_secs(10))
            .create_if_missing(create)
            // Statement logging would write the key pragma into the log.
            .disable_statement_logging();

        // A sync, a CRM push, a send of conversion events and an import each hold a connection for
        // as long as they run: with all of them at once, the app's reads and an erasure still get
        // one of the others.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options.clone())
            .await
            .map_err(|e| classify(e, path))?;

        // Reading the schema is what proves the key: SQLCipher decrypts page 1 here.
        sqlx::query("SELECT count(*) FROM sqlite_master").execute(&pool).await.map_err(|e| classify(e, path))?;

        sqlx::migrate!("src-tauri/migrations").run(&pool).await?;
        Ok(Self { pool, options, path: path.to_owned(), waiting: Waiting::default() })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write transaction that takes the write lock up front, so that read-then-write sequences
    /// (such as appending to the audit chain) cannot interleave with another writer, in this
    /// process or another one on the same file.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        let _queued = Queued::new(&self.waiting.0);
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// One connection held for a long series of write transactions, with a large page cache.
    /// Holding it keeps the cache on one connection rather than growing one per pooled connection.
    ///
    /// Its commits skip the fsync (`synchronous = NORMAL`): in WAL mode that still never leaves the
    /// database inconsistent, and a bulk write is repeatable. The next ordinary commit, which syncs
    /// the same WAL, makes them durable with it.
    pub async fn bulk(&self) -> Result<Bulk, StoreError> {
        self.bulk_with_cache(BULK_CACHE_MIB).await
    }

    /// One connection held for a series of reads and write transactions that read again what the
    /// last one wrote, with the everyday cache and every commit synced: another connection's
    /// commit would empty its cache, and each read would decrypt those pages again.
    pub async fn held(&self) -> Result<Bulk, StoreError> {
        Ok(Bulk { conn: self.pool.acquire().await?, waiting: self.waiting.clone() })
    }

    /// As `bulk`, with the everyday page cache: for a long series of small transactions (a sync's
    /// pages), whose memory then stays the same however much they write.
    pub async fn lean_bulk(&self) -> Result<Bulk, StoreError> {
        self.bulk_with_cache(CACHE_MIB).await
    }

    /// As `bulk`, with a page cache of `cache_mib` MiB for as long as it is held.
    pub async fn bulk_with_cache(&self, cache_mib: i64) -> Result<Bulk, StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(&format!("PRAGMA cache_size = {}", -cache_mib * 1024)).execute(&mut *conn).await?;
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
        Ok(Bulk { conn, waiting: self.waiting.clone() })
    }

    pub async fn engine(&self) -> Result<Engine, StoreError> {
        let sqlite: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&self.pool).await?;
        let cipher: Option<String> = sqlx::query_scalar("PRAGMA cipher_version").fetch_optional(&self.pool).await?;
        Ok(Engine { sqlite, cipher: cipher.unwrap_or_else(|| "none".into()) })
    }

    /// Runs SQLite's own consistency check; returns the problems it found, empty when sound.
    pub async fn check(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA quick_check").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Moves every committed change from the WAL into the database file and empties the WAL.
    /// After an erasure this is what removes the old page images from disk. Returns false when a
    /// reader still on an older snapshot kept it from finishing.
    pub async fn checkpoint(&self) -> Result<bool, StoreError> {
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
        Ok(busy == 0)
    }

    /// Closes the database with everything in the main file. The pool closes first, waiting for
    /// any work still holding a connection, so that nothing writes after the WAL is emptied; then
    /// one connection of its own empties it, and looks again until the WAL is empty (a connection
    /// the pool let go may still be finishing on sqlx's worker thread), for up to two seconds.
    /// (SQLite also checkpoints when its last connection closes, but for pooled connections that
    /// happens on sqlx's worker threads, and a process that is ending may not wait for it.)
    pub async fn close(&self) {
        self.pool.close().await;
        let wal = {
            let mut name = self.path.clone().into_os_string();
            name.push("-wal");
            PathBuf::from(name)
        };
        for _ in 0..40 {
            let emptied = async {
                let mut conn = self.options.connect().await?;
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut conn).await?;
                conn.close().await?;
                Ok::<bool, sqlx::Error>(busy == 0)
            };
            match emptied.await {
                Ok(true) if std::fs::metadata(&wal).map_or(0, |m| m.len()) == 0 => return,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "checkpoint at close failed; the WAL keeps the changes");
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tracing::warn!("the WAL was still in use at close; the next checkpoint empties it");
    }
}

/// A connection for bulk writes; `finish` gives its memory back before it returns to the pool.
pub struct Bulk {
    conn: sqlx::pool::PoolConnection<Sqlite>,
    waiting: Waiting,
}

impl Bulk {
    /// For stepping aside between transactions, so that other writers are not starved.
    pub fn waiting(&self) -> Waiting {
        self.waiting.clone()
    }

    /// Runs `work` on this connection's SQLite handle, bypassing sqlx: bulk writes go a prepared
    /// statement per row, which through sqlx's database thread costs more in round trips than the
    /// work itself. `work` blocks, so it runs where the async runtime allows blocking.
    pub async fn direct<T>(&mut self, work: impl FnOnce(&rusqlite::Connection) -> T) -> Result<T, StoreError> {
        direct(&mut self.conn, work).await
    }

    /// A write transaction on this connection, taking the write lock up front as `Store::write`
    /// does. Reads between such transactions find their pages still in this connection's cache,
    /// where another connection's commit would have emptied it.
    pub async fn write(&mut self) -> Result<Transaction<'_, Sqlite>, StoreError> {
        let _queued = Queued::new(&self.waiting.0);
        Ok(sqlx::Connection::begin_with(&mut *self.conn, "BEGIN IMMEDIATE").await?)
    }

    /// The connection, for reads through sqlx.
    pub fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.conn
    }

    pub async fn finish(mut self) -> Result<(), StoreError> {
        sqlx::query(&format!("PRAGMA cache_size = {CACHE_KIB}")).execute(&mut *self.conn).await?;
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *self.conn).await?;
        sqlx::query("PRAGMA shrink_memory").execute(&mut *self.conn).await?;
        Ok(())
    }
}

/// Runs `work` on the SQLite handle of `conn` (a pooled connection, or a transaction on one),
/// bypassing sqlx, inside whatever transaction `conn` has open. `work` blocks, so it runs where the
/// async runtime allows blocking.
pub async fn direct<T>(
    conn: &mut sqlx::SqliteConnection,
    work: impl FnOnce(&rusqlite::Connection) -> T,
) -> Result<T, StoreError> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is open and locked for the duration, so sqlx does not use it meanwhile,
    // and a connection made `from_handle` never closes it.
    let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
    // A single-threaded runtime (as in tests) has no other thread to hand its tasks to, so the
    // work simply runs in place there.
    let result = match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::CurrentThread => work(&conn),
        _ => tokio::task::block_in_place(|| work(&conn)),
    };
    drop(conn);
    Ok(result)
}

/// A number that changes whenever another connection commits to the store, and only then: a
/// connection's own commits leave it as it was. What it read before is still current while the
/// number is the same.
pub fn data_version(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

fn classify(e: sqlx::Error, path: &Path) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some(SQLITE_NOTADB) => {
            StoreError::Unreadable { path: path.to_owned() }
        }
        _ => StoreError::Sql(e),
    }
}
