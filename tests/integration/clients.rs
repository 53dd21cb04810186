use custodian::console::Code;

use crate::support::Workspace;

#[tokio::test]
async fn a_client_added_is_listed_and_still_there_after_reopening() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let added = console.add_client("  Acme Shoes  ", None).await.unwrap();
    assert_eq!(added.name, "Acme Shoes");
    console.close().await;

    let reopened = ws.open().await;
    let names: Vec<String> = reopened.list_clients().await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Acme Shoes"]);
}

#[tokio::test]
async fn clients_are_listed_by_name_ignoring_case() {
    let ws = Workspace::new();
    let console = ws.open().await;
    for name in ["globex", "Acme", "Initech"] {
        console.add_client(name, None).await.unwrap();
    }
    let names: Vec<String> = console.list_clients().await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Acme", "globex", "Initech"]);
}

#[tokio::test]
async fn a_name_already_taken_in_any_case_is_refused_and_the_refusal_audited() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let err = console.add_client("ACME", None).await.unwrap_err();
    assert_eq!(err.code(), Code::Conflict);
    assert!(err.to_string().contains("already exists"));
    assert_eq!(console.list_clients().await.unwrap().len(), 1);

    let newest = &console.audit_list(1, None).await.unwrap()[0];
    assert_eq!((newest.action.as_str(), newest.outcome.as_str()), ("client.add", "refused: conflict"));
    assert!(console.audit_verify().await.unwrap().intact);
}

#[tokio::test]
async fn a_blank_or_unprintable_name_is_refused_before_anything_is_written() {
    let ws = Workspace::new();
    let console = ws.open().await;
    for bad in ["", "   ", "Line\nbreak"] {
        assert_eq!(console.add_client(bad, None).await.unwrap_err().code(), Code::InvalidInput, "{bad:?}");
    }
    assert!(console.list_clients().await.unwrap().is_empty());
    assert_eq!(console.overview().await.unwrap().audit_entries, 0);
}

#[tokio::test]
async fn renaming_keeps_the_client_and_records_both_names() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let before = console.add_client("Acme", None).await.unwrap();
    let after = console.rename_client("acme", "Acme Holdings").await.unwrap();
    assert_eq!(after.id, before.id);
    assert_eq!(after.name, "Acme Holdings");

    let entry = &console.audit_list(1, None).await.unwrap()[0];
    assert_eq!(entry.action, "client.rename");
    assert!(entry.object.contains("\"Acme\" -> \"Acme Holdings\""), "{}", entry.object);
}

#[tokio::test]
async fn renaming_onto_another_clients_name_is_refused() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    console.add_client("Globex", None).await.unwrap();
    assert_eq!(console.rename_client("Globex", "acme").await.unwrap_err().code(), Code::Conflict);
    assert_eq!(console.rename_client("Nobody", "X").await.unwrap_err().code(), Code::NotFound);
}

#[tokio::test]
async fn removing_a_client_needs_confirmation_and_says_what_goes() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();

    let err = console.remove_client("Acme", false, None).await.unwrap_err();
    assert_eq!(err.code(), Code::ConfirmationRequired);
    assert!(err.to_string().contains("no data"), "{err}");
    assert_eq!(console.list_clients().await.unwrap().len(), 1, "nothing may change without confirmation");

    let holdings = console.client_holdings("Acme").await.unwrap();
    assert!(holdings.held.is_empty());

    let removal = console.remove_client("Acme", true, None).await.unwrap();
    assert_eq!(removal.client.name, "Acme");
    assert!(console.list_clients().await.unwrap().is_empty());
    let entry = &console.audit_list(1, None).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.outcome.as_str()), ("client.remove", "ok"));
}

#[tokio::test]
async fn every_change_is_recorded_with_who_what_and_outcome() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    console.rename_client("Acme", "Acme 2").await.unwrap();
    console.remove_client("Acme 2", true, None).await.unwrap();
    let entries = console.audit_list(10, None).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["client.add", "client.rename", "client.remove"]);
    assert!(entries.iter().all(|e| !e.actor.is_empty() && e.outcome == "ok" && e.at.ends_with('Z')));
}
