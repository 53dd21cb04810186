use custodian::console::{Code, Console, Error};
use custodian::vault::{Sensitive, Vault};
use sha2::{Digest, Sha256};

use crate::support::{contains, contents_of_files_in, Workspace};

fn digest(path: &std::path::Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

async fn workspace_with_a_client(name: &str) -> Workspace {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client(name, None).await.unwrap();
    console.close().await;
    ws
}

fn code_of(result: Result<Console, Error>) -> Code {
    match result {
        Ok(_) => panic!("the workspace opened, but it should have been refused"),
        Err(e) => e.code(),
    }
}

#[tokio::test]
async fn the_database_file_holds_no_plaintext() {
    let ws = workspace_with_a_client("Plaintext Probe Corporation").await;
    let db = std::fs::read(ws.db()).unwrap();
    assert!(db.len() > 4096, "the database should hold pages");
    assert!(!db.starts_with(b"SQLite format 3\0"), "the file must not have a plaintext SQLite header");
    for (file, bytes) in contents_of_files_in(ws.path()) {
        assert!(
            !contains(&bytes, b"Plaintext Probe Corporation"),
            "{} holds the client name in the clear",
            file.display()
        );
        assert!(!contains(&bytes, b"CREATE TABLE"), "{} holds the schema in the clear", file.display());
    }
}

#[tokio::test]
async fn the_engine_is_sqlcipher_with_durable_and_erasing_pragmas() {
    let ws = workspace_with_a_client("Acme").await;
    let store = ws.raw_store().await;
    let pool = store.pool();
    let one = |sql: &'static str| async move { sqlx::query_scalar::<_, String>(sql).fetch_one(pool).await.unwrap() };
    assert_eq!(one("PRAGMA journal_mode").await, "wal");
    let int = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap() };
    assert_eq!(int("PRAGMA foreign_keys").await, 1);
    assert_eq!(int("PRAGMA secure_delete").await, 1);
    assert_eq!(int("PRAGMA synchronous").await, 2, "synchronous should be FULL");
    let engine = store.engine().await.unwrap();
    assert!(engine.cipher.starts_with('4'), "SQLCipher 4 expected, got {}", engine.cipher);
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_the_file_is_left_untouched() {
    let ws = workspace_with_a_client("Acme").await;
    let before = digest(&ws.db());
    Vault::new(&ws.id()).set("database", "key", Sensitive::new("ab".repeat(32))).await.unwrap();

    assert_eq!(code_of(Console::open(ws.path(), ws.clock.clone()).await), Code::DatabaseUnreadable);
    assert_eq!(digest(&ws.db()), before, "the database must not be rewritten");
}

#[tokio::test]
async fn a_damaged_file_is_refused_and_never_overwritten() {
    let ws = workspace_with_a_client("Acme").await;
    let garbage: Vec<u8> = (0..64 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(ws.db(), &garbage).unwrap();

    let err = Console::open(ws.path(), ws.clock.clone()).await.err().expect("refused");
    assert_eq!(err.code(), Code::DatabaseUnreadable);
    assert!(err.to_string().contains("has not changed it"), "{err}");
    assert_eq!(std::fs::read(ws.db()).unwrap(), garbage);
}

#[tokio::test]
async fn a_key_missing_from_the_keychain_is_reported_and_never_replaced() {
    let ws = workspace_with_a_client("Acme").await;
    let before = digest(&ws.db());
    let vault = Vault::new(&ws.id());
    vault.delete("database", "key").await.unwrap();

    let err = Console::open(ws.path(), ws.clock.clone()).await.err().expect("refused");
    assert_eq!(err.code(), Code::KeyMissing);
    assert!(err.to_string().contains("will not replace the key"), "{err}");
    assert!(vault.get("database", "key").await.unwrap().is_none(), "no new key may be made");
    assert_eq!(digest(&ws.db()), before);
}

#[tokio::test]
async fn a_database_without_its_workspace_file_is_refused() {
    let ws = workspace_with_a_client("Acme").await;
    let before = digest(&ws.db());
    std::fs::remove_file(ws.path().join("workspace.json")).unwrap();

    assert_eq!(code_of(Console::open(ws.path(), ws.clock.clone()).await), Code::DatabaseUnreadable);
    assert_eq!(digest(&ws.db()), before);
    assert!(!ws.path().join("workspace.json").exists(), "no new workspace may be made over old data");
}

#[tokio::test]
async fn a_new_workspace_keeps_its_key_only_in_the_keychain() {
    let ws = Workspace::new();
    ws.open().await.close().await;
    let key = Vault::new(&ws.id()).get("database", "key").await.unwrap().expect("key in keychain");
    assert_eq!(key.expose().len(), 64, "a 256-bit key, hex encoded");
    let workspace_file = std::fs::read_to_string(ws.path().join("workspace.json")).unwrap();
    assert!(!workspace_file.contains(key.expose().as_str()));
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let dir = ws.path().join("nested/workspace");
    Console::open(&dir, ws.clock.clone()).await.unwrap().close().await;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
}
