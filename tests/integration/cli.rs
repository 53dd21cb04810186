use serde_json::Value;

use crate::support::{stderr, stdout, Workspace};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

#[test]
fn every_command_explains_itself_with_help() {
    let ws = Workspace::new();
    for args in [
        &["--help"][..],
        &["client", "--help"],
        &["client", "add", "--help"],
        &["client", "list", "--help"],
        &["client", "rename", "--help"],
        &["client", "remove", "--help"],
        &["audit", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "list", "--help"],
        &["doctor", "--help"],
    ] {
        let out = ws.cli(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("Usage: custodian"), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn client_commands_round_trip_with_stable_json() {
    let ws = Workspace::new();
    let added = ws.cli(&["client", "add", "Acme", "--json"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let client = json(&added);
    assert_eq!(client["name"], "Acme");

    assert!(ws.cli(&["client", "add", "Globex"]).status.success());
    assert!(ws.cli(&["client", "rename", "Globex", "Globex Corp"]).status.success());

    let list = json(&ws.cli(&["client", "list", "--json"]));
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["country", "created_at", "id", "name"]);
    assert_eq!(rows[0]["id"], client["id"]);
    assert_eq!(rows[1]["name"], "Globex Corp");

    let removed = ws.cli(&["client", "remove", "Acme", "--yes", "--json"]);
    assert!(removed.status.success());
    assert_eq!(json(&removed)["client"]["name"], "Acme");
    assert_eq!(json(&ws.cli(&["client", "list", "--json"])).as_array().unwrap().len(), 1);
}

#[test]
fn an_error_goes_to_stderr_with_a_non_zero_exit_and_a_code_in_json() {
    let ws = Workspace::new();
    let out = ws.cli(&["client", "rename", "Nobody", "Somebody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("No client is named 'Nobody'"), "{}", stderr(&out));
    assert!(stderr(&out).contains("`custodian client list` shows the clients"), "the command line adds its hint");

    let out = ws.cli(&["client", "rename", "Nobody", "Somebody", "--json"]);
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn removing_without_yes_removes_nothing_and_says_what_would_go() {
    let ws = Workspace::new();
    ws.cli(&["client", "add", "Acme"]);
    let out = ws.cli(&["client", "remove", "Acme"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(stdout(&ws.cli(&["client", "list"])).contains("Acme"));
}

#[test]
fn a_wrong_command_line_exits_with_2() {
    let ws = Workspace::new();
    assert_eq!(ws.cli(&["client", "frobnicate"]).status.code(), Some(2));
    assert_eq!(ws.cli(&["client", "add"]).status.code(), Some(2));
}

#[tokio::test]
async fn the_cli_sees_what_the_console_wrote_and_the_reverse() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Written In Process", None).await.unwrap();
    assert!(stdout(&ws.cli(&["client", "list"])).contains("Written In Process"));

    assert!(ws.cli(&["client", "add", "Written By The CLI"]).status.success());
    let names: Vec<String> = console.list_clients().await.unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"Written By The CLI".to_owned()));
}

#[test]
fn the_data_directory_can_come_from_the_environment() {
    let ws = Workspace::new();
    let run = |args: &[&str]| {
        crate::support::custodian_binary().args(args).env("CUSTODIAN_DATA_DIR", ws.path()).output().unwrap()
    };
    assert!(run(&["client", "add", "From Env"]).status.success());
    assert!(stdout(&ws.cli(&["client", "list"])).contains("From Env"));
}

#[test]
fn doctor_passes_on_a_healthy_workspace_and_reports_every_part() {
    let ws = Workspace::new();
    ws.cli(&["client", "add", "Acme"]);
    let out = ws.cli(&["doctor"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    for part in ["ok    keychain", "ok    database", "SQLCipher 4", "ok    audit trail: 1 entries"] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
    let report = json(&ws.cli(&["doctor", "--json"]));
    assert_eq!(report["ok"], true);
}

#[test]
fn doctor_names_the_fix_when_the_database_cannot_be_read() {
    let ws = Workspace::new();
    ws.cli(&["client", "add", "Acme"]);
    std::fs::write(ws.db(), vec![7u8; 8192]).unwrap();
    let out = ws.cli(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL  database"), "{text}");
    assert!(text.contains("fix:"), "{text}");
}

#[test]
fn doctor_only_looks_and_never_creates_a_workspace() {
    let ws = Workspace::new();
    let dir = ws.path().join("not-yet");
    let out = crate::support::custodian_binary().arg("--data-dir").arg(&dir).arg("doctor").output().unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(!dir.exists());
}

#[test]
fn the_cli_ends_quietly_when_its_reader_goes_away() {
    use std::io::Read;
    use std::process::Stdio;
    let ws = Workspace::new();
    for i in 0..40 {
        ws.cli(&["client", "add", &format!("Client number {i} with a long enough name to fill a pipe")]);
    }
    let mut child = ws
        .command(&["audit", "list", "--json", "--limit", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone (like `| head -c 10`): the rest of the output has nowhere to go.
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
    assert_ne!(out.status.code(), Some(101), "no panic exit");
}

#[cfg(unix)]
#[test]
fn the_workspace_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    // The test made the directory with the usual 0755; Custodian tightens it.
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(ws.path()), 0o700);
    for file in crate::support::files_in(ws.path()) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn the_cli_takes_the_spellings_it_always_took_for_kinds_statuses_and_outcomes() {
    let ws = Workspace::new();
    for (given, kind) in
        [("withdraw-consent", "objection"), ("erase", "erasure"), ("rectify", "rectification"), ("Access", "access")]
    {
        let out = ws.cli(&["request", "new", "--kind", given, "--email", "ann@example.com", "--json"]);
        assert!(out.status.success(), "{given}: {}", stderr(&out));
        assert_eq!(json(&out)["kind"], kind, "{given}");
    }
    let out = ws.cli(&["request", "status", "1", "IN-PROGRESS", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["status"], "in_progress");
    let out = ws.cli(&["request", "close", "1", "--outcome", "denied", "--reason", "identity not verified", "--json"]);
    assert_eq!(json(&out)["status"], "denied");
    let out = ws.cli(&["retention", "set", "--kind", "request-records", "--days", "400", "--reason", "policy"]);
    assert!(out.status.success(), "{}", stderr(&out));

    for wrong in [
        &["request", "new", "--kind", "forget-me", "--email", "a@b.com"][..],
        &["request", "close", "2", "--outcome", "maybe"],
        &["retention", "set", "--kind", "shoes", "--days", "30", "--reason", "x"],
    ] {
        let out = ws.cli(wrong);
        assert_eq!(out.status.code(), Some(2), "{wrong:?}");
        assert!(stderr(&out).contains("possible values"), "{wrong:?}: {}", stderr(&out));
    }
}

#[test]
fn the_cli_hints_at_the_command_for_what_is_missing_whatever_the_command_was() {
    let ws = Workspace::new();
    let out = ws.cli(&["request", "new", "--kind", "access", "--email", "a@b.com", "--client", "Nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`custodian client list`"),
        "a missing client points at the clients: {}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("request list"), "{}", stderr(&out));

    let out = ws.cli(&["hold", "add", "--reason", "dispute"]);
    assert!(stderr(&out).contains("--client NAME"), "{}", stderr(&out));
    let out = ws.cli(&["hold", "add", "--email", "a@b.com", "--reason", "dispute", "--until", "2020-01-01"]);
    assert!(!stderr(&out).contains("--client NAME"), "a past day is not a missing subject: {}", stderr(&out));

    let out = ws.cli(&["request", "show", "99", "--json"]);
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["code"], "not_found");
    assert!(!stderr(&out).contains("custodian request list"), "JSON output carries no hint");
}

#[test]
fn version_names_the_commit_the_binary_was_built_from() {
    let out = crate::support::custodian_binary().arg("--version").output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let head = std::process::Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output().unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    assert_eq!(printed, format!("custodian {} ({head})", env!("CARGO_PKG_VERSION")));
}
