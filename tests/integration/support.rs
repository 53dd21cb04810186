use std::path::{Path, PathBuf};

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, KeyIvInit};
use std::process::{Command, Output};

use std::sync::Arc;

use custodian::clock::{Clock, FixedClock};
use custodian::console::Console;
use custodian::store::Store;
use custodian::vault::{Sensitive, Vault};
use std::sync::LazyLock;

use custodian::clock::Moment;

/// A fresh data directory, removed when the test ends. Made here rather than with a temp-dir
/// crate: that dev-dependency turns on `bitflags/std`, and cargo then builds the GUI stack twice.
pub struct Workspace {
    dir: PathBuf,
    /// The workspace's time: the Console and the CLI run on it, so no test depends on its day.
    pub clock: Arc<FixedClock>,
}

/// The day the tests live on unless they move their clock: a Monday in late November 2026.
pub static TEST_NOW: LazyLock<Moment> = LazyLock::new(|| at("2026-11-23T09:00:00Z"));

/// A moment the test states, as RFC 3339.
pub fn at(rfc3339: &str) -> Moment {
    custodian::clock::parse_rfc3339(rfc3339).expect("a test's time is RFC 3339")
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Workspace {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("custodian-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self { dir, clock: FixedClock::at(*TEST_NOW) }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("custodian.db")
    }

    pub async fn open(&self) -> Console {
        Console::open(self.path(), self.clock.clone()).await.unwrap_or_else(|e| panic!("opening the workspace: {e}"))
    }

    pub fn id(&self) -> String {
        custodian::console::workspace::read_id(self.path()).unwrap().expect("workspace.json")
    }

    /// The database key, read from the keychain as the app does.
    pub async fn key(&self) -> Sensitive<[u8; 32]> {
        let hex_key = Vault::new(&self.id()).get("database", "key").await.unwrap().expect("key in keychain");
        Sensitive::new(hex::decode(hex_key.expose()).unwrap().try_into().unwrap())
    }

    /// The raw store, for tests that play an attacker or a damaged disk.
    pub async fn raw_store(&self) -> Store {
        Store::open(&self.db(), &self.key().await, false).await.unwrap()
    }

    /// Runs the `custodian` binary on this workspace.
    /// How many leads have their words in the search index, read straight from the database.
    pub async fn indexed_leads(&self) -> i64 {
        let store = self.raw_store().await;
        let n = custodian::leads::words::indexed(&mut store.pool().acquire().await.unwrap()).await.unwrap();
        // Not `Store::close`: its checkpoint would wait for another process's write transaction.
        store.pool().close().await;
        n
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run custodian")
    }

    /// The `custodian` binary on this workspace, its clock starting at the workspace's time.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = custodian_binary();
        command
            .arg("--data-dir")
            .arg(self.path())
            .args(args)
            .env_remove("CUSTODIAN_DATA_DIR")
            .env(custodian::clock::CLOCK_VARIABLE, custodian::clock::rfc3339(self.clock.now()));
        command
    }
}

impl Workspace {
    /// Runs the `custodian` binary on this workspace with `input` on its standard input.
    pub fn cli_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run custodian");
        child.stdin.take().expect("piped").write_all(input.as_bytes()).expect("write stdin");
        child.wait_with_output().expect("custodian ends")
    }
}

/// The `custodian` binary, run as a person would: when the suite itself runs with its clock moved
/// (`faketime` in `make test`), the binary does not inherit the preloaded library, whose locks can
/// deadlock a process that talks to D-Bus; its time comes from `CUSTODIAN_CLOCK` instead.
pub fn custodian_binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_custodian"));
    command.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    command
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The contents of every file below `dir`, recursively. SQLite may delete its `-wal` and `-shm`
/// files just after a close returns; a file gone by the time it is read held nothing to find.
pub fn contents_of_files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(dir).into_iter().filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes))).collect()
}

/// Every file below `dir`, recursively.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// SQLCipher's page layout with this workspace's settings: 16 KiB pages ending in a 16-byte IV
/// and a 32-byte HMAC; page 1 starts with the 16-byte salt in the clear.
const PAGE: usize = 16_384;
const RESERVE: usize = 48;

/// Every page of the database file, decrypted with the workspace key.
pub fn decrypted_pages(db: &Path, key: &[u8; 32]) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(db).unwrap();
    assert_eq!(bytes.len() % PAGE, 0, "whole pages");
    bytes
        .chunks(PAGE)
        .enumerate()
        .map(|(i, page)| {
            let start = if i == 0 { 16 } else { 0 };
            let iv = &page[PAGE - RESERVE..PAGE - RESERVE + 16];
            let mut data = page[start..PAGE - RESERVE].to_vec();
            cbc::Decryptor::<aes::Aes256>::new(key.into(), iv.into())
                .decrypt_padded_mut::<NoPadding>(&mut data)
                .expect("whole blocks");
            data
        })
        .collect()
}

/// The needles found anywhere: in any file as it is on disk, or in a decrypted database page.
pub fn traces(dir: &Path, key: &[u8; 32], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    // The WAL and its index go when the last connection closes, which may be while we list them.
    let mut haystacks: Vec<(String, Vec<u8>)> =
        files_in(dir).into_iter().filter_map(|p| Some((p.display().to_string(), std::fs::read(&p).ok()?))).collect();
    let db = dir.join("custodian.db");
    for (i, page) in decrypted_pages(&db, key).into_iter().enumerate() {
        haystacks.push((format!("database page {}", i + 1), page));
    }
    for (place, bytes) in &haystacks {
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{needle} in {place}"));
            }
        }
    }
    found
}

/// A workspace whose client Acme (GB) is connected to Meta at `sim` with `token`: a system-user
/// token of the agency's app 1234 that may also manage ads and the business (datasets, pixels).
/// Calls to Meta are retried and waited out quickly, as the simulator answers at once.
pub async fn acme_on_meta(ws: &Workspace, sim: &crate::graph_sim::GraphSim, token: &str) -> Console {
    const SCOPES: [&str; 6] = [
        "leads_retrieval",
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_metadata",
        "ads_management",
        "business_management",
    ];
    let kind = crate::graph_sim::Token {
        app_id: "1234".into(),
        kind: "SYSTEM_USER",
        scopes: SCOPES.to_vec(),
        expires_at: 0,
        invalid: None,
    };
    sim.token(token, kind);
    let console = ws.open().await;
    console.set_graph_pacing(custodian::meta::Pacing {
        transient_retries: 3,
        first_backoff: std::time::Duration::from_millis(2),
        longest_wait: std::time::Duration::from_millis(200),
        timeout: std::time::Duration::from_secs(10),
    });
    console.add_client("Acme", Some("GB")).await.unwrap();
    let app = custodian::console::MetaAppForm {
        app_id: Some("1234".into()),
        graph_url: Some(sim.url.clone()),
        ..custodian::console::MetaAppForm::default()
    };
    console.set_meta_app(app).await.unwrap();
    console.connect_meta(Sensitive::new(token.into()), Some("Acme")).await.unwrap();
    console
}
