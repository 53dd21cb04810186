//! Files of personal data written outside the workspace (lead exports, access packages): made new
//! beside their destination as `<name>.part`, readable by their owner only, never through a
//! symbolic link, moved into place only when whole, and never over an existing file unless the
//! person said to replace it.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ExportFileError {
    #[error("{0} already exists; nothing was written. Choose another name, or say to replace it.")]
    Exists(PathBuf),
    #[error("{0} cannot be written: {1}. Choose another place, or free some space.")]
    Io(PathBuf, String),
}

/// A file being written; `finish` puts it in place, dropping it unfinished removes it.
#[derive(Debug)]
pub struct ExportFile {
    file: Option<File>,
    tmp: PathBuf,
    dest: PathBuf,
    replace: bool,
}

/// The partial file of an export to `dest`: a name no other program writes, so that a partial file
/// found there can only be one of Custodian's own, left by a crash.
pub fn partial_of(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".custodian.part");
    dest.with_file_name(name)
}

impl ExportFile {
    /// Starts writing `dest`. Refuses at once when `dest` exists and `replace` is false, so no work
    /// is done for nothing.
    pub fn create(dest: &Path, replace: bool) -> Result<Self, ExportFileError> {
        let io = |e: std::io::Error| ExportFileError::Io(dest.to_owned(), e.to_string());
        if !replace && std::fs::symlink_metadata(dest).is_ok() {
            return Err(ExportFileError::Exists(dest.to_owned()));
        }
        let tmp = partial_of(dest);
        // A partial file left by a crash, or a link someone put in its place: it goes (a link goes
        // itself, not what it points to).
        match std::fs::remove_file(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let file = options.open(&tmp).map_err(io)?;
        Ok(Self { file: Some(file), tmp, dest: dest.to_owned(), replace })
    }

    /// Where the partial file is.
    pub fn partial(&self) -> &Path {
        &self.tmp
    }

    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until finished")
    }

    /// Writes all of `bytes` (for formats built in memory).
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ExportFileError> {
        let dest = self.dest.clone();
        self.file().write_all(bytes).map_err(|e| ExportFileError::Io(dest, e.to_string()))
    }

    /// Makes the file durable and puts it in place: over the destination only when replacing,
    /// otherwise refusing if something has appeared there meanwhile. On any failure the partial
    /// file is removed: nothing of the export stays behind.
    pub fn finish(mut self) -> Result<PathBuf, ExportFileError> {
        let placed = self.place();
        if placed.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        placed.map(|()| std::mem::take(&mut self.dest))
    }

    fn place(&mut self) -> Result<(), ExportFileError> {
        let io = |dest: &Path, e: std::io::Error| ExportFileError::Io(dest.to_owned(), e.to_string());
        let file = self.file.take().expect("open until finished");
        file.sync_all().map_err(|e| io(&self.dest, e))?;
        drop(file);
        if self.replace {
            return std::fs::rename(&self.tmp, &self.dest).map_err(|e| io(&self.dest, e));
        }
        // A hard link is made only where nothing is: the no-replace move.
        match std::fs::hard_link(&self.tmp, &self.dest) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.tmp);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(ExportFileError::Exists(self.dest.clone())),
            // File systems without hard links (FAT, exFAT, some network shares): a rename, once the
            // destination is seen to be free.
            Err(_) if std::fs::symlink_metadata(&self.dest).is_err() => {
                std::fs::rename(&self.tmp, &self.dest).map_err(|e| io(&self.dest, e))
            }
            Err(_) => Err(ExportFileError::Exists(self.dest.clone())),
        }
    }
}

impl Write for ExportFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}

impl Seek for ExportFile {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file().seek(pos)
    }
}

/// Notes a partial file before it is written, in the workspace (`conn`), so that one a crash
/// leaves behind is removed at the next open.
pub async fn remember(conn: &mut sqlx::SqliteConnection, partial: &Path) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO export_partials (path) VALUES (?1)")
        .bind(partial.to_string_lossy())
        .execute(conn)
        .await?;
    Ok(())
}

/// The partial file is gone (finished or abandoned): nothing to clear up.
pub async fn forget(conn: &mut sqlx::SqliteConnection, partial: &Path) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM export_partials WHERE path = ?1").bind(partial.to_string_lossy()).execute(conn).await?;
    Ok(())
}

/// Removes the partial files that exports cut short by a crash left behind; returns how many.
pub async fn sweep(pool: &sqlx::SqlitePool) -> Result<usize, sqlx::Error> {
    let paths: Vec<String> = sqlx::query_scalar("SELECT path FROM export_partials").fetch_all(pool).await?;
    let mut removed = 0;
    for path in &paths {
        // Only the file this process would have made: a `.part` name, never a link's target.
        if path.ends_with(".custodian.part") && std::fs::remove_file(path).is_ok() {
            removed += 1;
        }
        sqlx::query("DELETE FROM export_partials WHERE path = ?1").bind(path).execute(pool).await?;
    }
    Ok(removed)
}

impl Drop for ExportFile {
    fn drop(&mut self) {
        // Unfinished (an error, a cancel): nothing half-written stays.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("custodian-export-file-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_export_never_replaces_a_file_unless_told_and_leaves_no_part_behind() {
        let dir = scratch("replace");
        let dest = dir.join("out.csv");
        std::fs::write(&dest, "theirs").unwrap();
        assert!(matches!(ExportFile::create(&dest, false), Err(ExportFileError::Exists(_))));
        let mut f = ExportFile::create(&dest, true).unwrap();
        f.write_all(b"ours").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "ours");
        let unfinished = ExportFile::create(&dir.join("other.csv"), false).unwrap();
        let part = unfinished.partial().to_owned();
        assert!(part.exists());
        drop(unfinished);
        assert!(!part.exists() && !dir.join("other.csv").exists());
        // A destination that appears while the export is written: refused, and the partial goes.
        let raced = ExportFile::create(&dir.join("raced.csv"), false).unwrap();
        let part = raced.partial().to_owned();
        std::fs::write(dir.join("raced.csv"), "theirs").unwrap();
        assert!(matches!(raced.finish(), Err(ExportFileError::Exists(_))));
        assert!(!part.exists(), "no partial file stays after a failed finish");
        assert_eq!(std::fs::read_to_string(dir.join("raced.csv")).unwrap(), "theirs");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_export_is_private_and_never_written_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("link");
        let target = dir.join("elsewhere.txt");
        std::fs::write(&target, "untouched").unwrap();
        let dest = dir.join("out.csv");
        std::os::unix::fs::symlink(&target, partial_of(&dest)).unwrap();
        let mut f = ExportFile::create(&dest, false).unwrap();
        f.write_all(b"data").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched", "the link was not followed");
        assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
        std::os::unix::fs::symlink(&target, dir.join("linked.csv")).unwrap();
        assert!(matches!(ExportFile::create(&dir.join("linked.csv"), false), Err(ExportFileError::Exists(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
