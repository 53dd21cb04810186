//! An advisory lock on the data directory, for the work two processes (the app and the CLI) must
//! not do at once on one workspace: creating it, and importing into it. The second process is told
//! who holds the lock instead of getting in its way.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::Error;

const LOCK_FILE: &str = "lock";

/// The lock, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    file: File,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Nobody holds it any more: say so to whoever reads the file next.
        let _ = self.file.set_len(0);
        #[cfg(unix)]
        // SAFETY: unlocking an open descriptor this value owns.
        unsafe {
            libc::flock(std::os::unix::io::AsRawFd::as_raw_fd(&self.file), libc::LOCK_UN);
        }
    }
}

/// Takes the lock for `what` ("an import of …"), or says who holds it.
pub fn take(dir: &Path, what: &str) -> Result<DirLock, Error> {
    match try_take(dir, what)? {
        Some(lock) => Ok(lock),
        None => {
            let mut holder = String::new();
            if let Ok(mut f) = File::open(dir.join(LOCK_FILE)) {
                let _ = f.read_to_string(&mut holder);
            }
            let holder = holder.trim();
            Err(Error::Conflict(format!(
                "Another Custodian process is working on this workspace ({}). Wait until it has finished, \
                 then try again.",
                if holder.is_empty() { "it did not say what it is doing" } else { holder }
            )))
        }
    }
}

/// Takes the lock if nobody holds it.
pub fn try_take(dir: &Path, what: &str) -> Result<Option<DirLock>, Error> {
    let path = dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(&path).map_err(|e| Error::DataDir { dir: dir.display().to_string(), detail: e.to_string() })?;
    #[cfg(unix)]
    {
        // SAFETY: flock on a descriptor this function owns; LOCK_NB makes it return at once.
        let locked =
            unsafe { libc::flock(std::os::unix::io::AsRawFd::as_raw_fd(&file), libc::LOCK_EX | libc::LOCK_NB) };
        if locked != 0 {
            return Ok(None);
        }
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "process {}: {what}", std::process::id());
    let _ = file.flush();
    Ok(Some(DirLock { file }))
}
