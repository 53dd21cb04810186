//! `custodian bench …`: measurements on generated data, in a throwaway workspace.

pub mod capi;
pub mod chat;
pub mod import;
pub mod leadgen;
pub mod push;
pub mod requests;
pub mod retention;
pub mod sync;

/// A bench's report: JSON with `--json`, lines of figures otherwise.
pub trait Printed: serde::Serialize {
    fn print(&self);
}

/// The process's peak resident memory so far, in bytes (Linux; `None` elsewhere).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Bytes this process has caused to be written to storage so far (Linux; `None` elsewhere). Pages
/// written and rewritten before they reach the disk count once each time they are written.
pub fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|l| l.starts_with("write_bytes:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time this process has used, user and system, in seconds.
pub fn cpu_seconds() -> f64 {
    let (user, system) = cpu_split();
    user + system
}

/// CPU time this process has used, in seconds: in its own code, and in the kernel for it.
pub fn cpu_split() -> (f64, f64) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is handed and reports failure by its return value.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return (0.0, 0.0);
        }
        usage.assume_init()
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_utime), secs(usage.ru_stime))
}

/// Runs of a `sqlite3` reference: its time varies by a fifth from run to run on a shared machine.
pub const REFERENCE_RUNS: usize = 3;

/// The median of `REFERENCE_RUNS` runs of the `sqlite3` shell importing the TAB-separated rows
/// `tsv` into a new plain table made by `create_table`, as a floor for comparison; `None` when the
/// shell is not installed.
pub fn sqlite3_median(dir: &std::path::Path, tsv: &std::path::Path, create_table: &str) -> Option<f64> {
    let mut times =
        (0..REFERENCE_RUNS).map(|_| sqlite3_import(dir, tsv, create_table)).collect::<Option<Vec<f64>>>()?;
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

fn sqlite3_import(dir: &std::path::Path, tsv: &std::path::Path, create_table: &str) -> Option<f64> {
    use std::io::Write;
    let db = dir.join("reference.db");
    let _ = std::fs::remove_file(&db);
    let script = format!("{create_table};\n.mode tabs\n.import '{}' {}\n", tsv.display(), table_name(create_table));
    let t = std::time::Instant::now();
    let mut child = std::process::Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.as_mut()?.write_all(script.as_bytes()).ok()?;
    drop(child.stdin.take());
    child.wait().ok()?.success().then(|| t.elapsed().as_secs_f64())
}

/// The table a `CREATE TABLE name (…)` makes.
fn table_name(create_table: &str) -> &str {
    create_table.trim_start_matches("CREATE TABLE ").split_whitespace().next().unwrap_or("t")
}

/// A throwaway data directory, removed when dropped with the keychain entries of the workspace in
/// it (`workspace/`), so that benchmarks leave nothing in the user's keychain.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(label: &str) -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("custodian-bench-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Scratch {
    /// Where a bench keeps its workspace.
    pub fn workspace(&self) -> std::path::PathBuf {
        self.0.join("workspace")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = crate::console::workspace::forget_keys_now(&self.workspace()) {
            eprintln!("warning: the bench workspace's keychain entries could not be deleted: {e}");
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
