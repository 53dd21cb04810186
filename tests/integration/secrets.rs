use crate::support::{contains, contents_of_files_in, stderr, stdout, Workspace};
use custodian::vault::Vault;

#[tokio::test]
async fn the_database_key_appears_in_no_file_of_the_data_directory_nor_in_any_output() {
    let ws = Workspace::new();
    let mut outputs = Vec::new();
    // Every command, including failing ones, with the most verbose logging there is.
    for args in [
        &["client", "add", "Acme"][..],
        &["client", "add", "Acme"],
        &["client", "list", "--json"],
        &["client", "rename", "Acme", "Acme Two"],
        &["client", "remove", "Acme Two"],
        &["client", "remove", "Acme Two", "--yes"],
        &["audit", "list", "--json"],
        &["audit", "verify"],
        &["doctor"],
    ] {
        let out = ws.command(args).env("CUSTODIAN_LOG", "trace").output().unwrap();
        outputs.push(format!("{}{}", stdout(&out), stderr(&out)));
    }

    let key = ws.key().await;
    let hex_lower = hex::encode(key.expose());
    let hex_upper = hex_lower.to_uppercase();
    let log = std::fs::read_to_string(ws.path().join("logs/custodian.log")).expect("a log was written");
    assert!(log.contains("workspace opened"), "the log should record activity, so this test can fail");

    for (file, bytes) in contents_of_files_in(ws.path()) {
        for needle in [hex_lower.as_bytes(), hex_upper.as_bytes(), &key.expose()[..]] {
            assert!(!contains(&bytes, needle), "{} holds the database key", file.display());
        }
    }
    for out in outputs {
        assert!(!out.contains(&hex_lower) && !out.contains(&hex_upper), "the key was printed: {out}");
    }
}

#[tokio::test]
async fn a_bench_workspace_leaves_nothing_in_the_keychain() {
    let scratch = custodian::bench::Scratch::new("keychain-test").unwrap();
    let console =
        custodian::console::Console::open(&scratch.workspace(), std::sync::Arc::new(custodian::clock::SystemClock))
            .await
            .unwrap();
    console.add_client("Bench", None).await.unwrap();
    console.close().await;
    let id = custodian::console::workspace::read_id(&scratch.workspace()).unwrap().unwrap();
    let vault = Vault::new(&id);
    assert!(vault.get("database", "key").await.unwrap().is_some());
    drop(scratch);
    assert!(vault.get("database", "key").await.unwrap().is_none(), "the database key went with the bench");
    assert!(vault.get("identity", "key").await.unwrap().is_none(), "and the identity key");
}
