//! The log: `logs/custodian.log` in the data directory, readable only by its owner.
//!
//! What is logged is chosen at each call site: codes, counts, ids, never a secret or a person's data.
//! Statement logging is off in the store, because the key pragma is a statement.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::console::workspace::{make_private_dir, LOG_DIR};

/// Sends this process's log to the data directory. A log that cannot be opened is not a reason to
/// stop: the app runs without one and says so on stderr.
pub fn init(data_dir: &Path) {
    let dir = data_dir.join(LOG_DIR);
    if make_private_dir(&dir).is_err() {
        return;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = match options.open(dir.join("custodian.log")) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("warning: no log will be written: {e}");
            return;
        }
    };
    let filter = EnvFilter::try_from_env("CUSTODIAN_LOG").unwrap_or_else(|_| EnvFilter::new("custodian=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(Mutex::new(file)).try_init();
}
