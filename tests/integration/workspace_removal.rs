//! Deleting a workspace: the data directory and every keychain entry it made go, audited until the
//! last moment; refused while a legal hold is in force, and until confirmed.

use custodian::console::{Code, HoldForm};
use custodian::vault::{Sensitive, Vault};

use crate::support::{stderr, stdout, Workspace};

#[tokio::test]
async fn deleting_a_workspace_removes_its_directory_and_every_keychain_entry_and_is_refused_while_held() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.set_meta_app_secret(Sensitive::new("s3cr3t".into())).await.unwrap();
    console.set_lock_passphrase(Sensitive::new("tangerine umbrella".into()), None).await.unwrap();
    let hold = HoldForm { client: Some("Acme".into()), reason: "A claim".into(), ..Default::default() };
    let hold = console.add_hold(hold).await.unwrap();
    let id = ws.id();
    console.close().await;

    let held = ws.cli(&["workspace", "delete", "--yes", "--json"]);
    assert!(!held.status.success());
    assert!(stdout(&held).contains("\"held\"") || stderr(&held).contains("legal holds"), "{}", stderr(&held));
    assert!(ws.db().exists(), "nothing was deleted");

    let console = ws.open().await;
    console.remove_hold(hold.id).await.unwrap();
    let unconfirmed = console.delete_workspace(false).await.unwrap_err();
    assert_eq!(unconfirmed.code(), Code::ConfirmationRequired);
    assert!(unconfirmed.to_string().contains("4 keychain entries"), "{unconfirmed}");
    console.close().await;
    let trail = ws.cli(&["audit", "list", "--json"]);
    assert_eq!(stdout(&trail).matches("workspace.delete").count(), 2, "each refusal on the trail");

    let deleted = ws.cli(&["workspace", "delete", "--yes"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert!(!ws.path().exists(), "the data directory is gone");
    let vault = Vault::new(&id);
    for (purpose, entry) in
        [("database", "key"), ("identity", "key"), ("meta-app-secret", "default"), ("app-lock", "passphrase")]
    {
        assert!(vault.get(purpose, entry).await.unwrap().is_none(), "{purpose}/{entry} is still in the keychain");
    }
    let again = ws.cli(&["workspace", "delete", "--yes"]);
    assert!(!again.status.success() && stderr(&again).contains("no workspace"), "{}", stderr(&again));
    assert!(!ws.path().exists(), "no workspace was made only to be deleted");
}
