//! Retention: policies per kind with client overrides, each change audited with its reason, and a
//! review of what is held, how old, and what falls due, as of any day.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::console::{Code, Console};
use custodian::personal_data::DataKind;
use custodian::requests::{Outcome, RequestKind};
use custodian::retention::Review;

use crate::fixtures::{self, encode, rows, text, Encoding, HEADER};
use crate::support::{at, stdout, traces, Workspace};

async fn with_leads(ws: &Workspace) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.add_client("Beta", None).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    console.import_file(&path, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    console
}

fn leads_of<'a>(rows: &'a [Review], client: &str) -> &'a Review {
    rows.iter().find(|r| r.kind == DataKind::Leads && r.client.as_deref() == Some(client)).unwrap()
}

#[tokio::test]
async fn the_review_counts_what_is_held_by_age_and_what_falls_due_on_any_day() {
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    // The four leads were created on 15–18 July 2026 (UTC); leads are kept 90 days by default.
    let early = console.retention_review(None, at("2026-09-01T00:00:00Z")).await.unwrap();
    let acme = leads_of(&early, "Acme");
    assert_eq!((acme.policy.days, acme.policy.client_override), (90, false));
    assert_eq!((acme.held, acme.due_now, acme.due_within_7_days, acme.due_within_30_days), (4, 0, 0, 0));
    assert_eq!(acme.oldest.as_deref(), Some("2026-07-15T21:12:13Z"));
    assert_eq!(leads_of(&early, "Beta").held, 0);
    assert!(early.iter().any(|r| r.kind == DataKind::AuditEntries && r.held > 0 && r.client.is_none()));

    let later = console.retention_review(Some("acme"), at("2026-10-14T00:00:00Z")).await.unwrap();
    assert!(later.iter().all(|r| r.client.as_deref() == Some("Acme")), "only the client asked for");
    let acme = leads_of(&later, "Acme");
    assert_eq!((acme.due_now, acme.due_within_7_days, acme.due_within_30_days), (1, 4, 4));
    let ages: Vec<i64> = acme.ages.iter().map(|a| a.count).collect();
    assert_eq!(ages, [0, 3, 1, 0, 0, 0], "three leads are 87–89 days old, one just over 90");
}

#[tokio::test]
async fn a_client_override_applies_to_that_client_only_and_is_audited_with_its_reason() {
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    let set = console.set_retention(DataKind::Leads, 30, Some("Acme"), "Acme agreement, clause 7").await.unwrap();
    assert_eq!((set[0].policy.days, set[0].policy.client_override), (30, true));
    let review = console.retention_review(None, at("2026-09-01T00:00:00Z")).await.unwrap();
    assert_eq!(leads_of(&review, "Acme").due_now, 4, "30 days after mid-July has passed");
    assert_eq!(leads_of(&review, "Beta").policy.days, 90);

    console.set_retention(DataKind::Leads, 60, None, "shorter promise to everyone").await.unwrap();
    let review = console.retention_review(None, at("2026-09-01T00:00:00Z")).await.unwrap();
    assert_eq!((leads_of(&review, "Beta").policy.days, leads_of(&review, "Acme").policy.days), (60, 30));

    let audit = console.audit_list(10, None).await.unwrap();
    assert!(
        audit[1].object.contains("leads for client:")
            && audit[1].object.contains("30 days, because Acme agreement, clause 7")
    );
    assert!(audit[0].object.contains("the workspace default: 60 days"));
}

#[tokio::test]
async fn bad_policies_are_refused_clearly_and_change_nothing() {
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    for (kind, days, client, reason, says) in [
        (DataKind::ImportRecords, 30, None, "x", "not kept by a retention policy"),
        (DataKind::Leads, 0, None, "x", "from 1 to 36,500 days"),
        (DataKind::Leads, 30, None, "  ", "needs its reason"),
        (DataKind::AuditEntries, 30, Some("Acme"), "x", "cannot differ per client"),
    ] {
        let e = console.set_retention(kind, days, client, reason).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidInput, "{kind:?}");
        assert!(e.to_string().contains(says), "{e}");
    }
    assert_eq!(
        console.set_retention(DataKind::Leads, 30, Some("Nobody"), "x").await.unwrap_err().code(),
        Code::NotFound
    );
    let review = console.retention_review(None, at("2026-09-01T00:00:00Z")).await.unwrap();
    assert_eq!(leads_of(&review, "Acme").policy.days, 90);
}

#[test]
fn the_cli_shows_and_sets_retention_as_of_any_day() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let set =
        ws.cli(&["retention", "set", "--kind", "leads", "--days", "45", "--client", "Acme", "--reason", "contract"]);
    assert!(stdout(&set).contains("leads of Acme: kept 45 days (the client's own: contract)"), "{}", stdout(&set));
    let show = ws.cli(&["retention", "show", "--now", "2040-01-01", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let audit = rows.as_array().unwrap().iter().find(|r| r["kind"] == "audit_entries").unwrap();
    assert_eq!(audit["due_now"], audit["held"], "by 2040 every audit entry is past 24 months");
}

#[tokio::test]
async fn holds_on_a_client_a_person_or_an_open_access_request_keep_records_from_falling_due() {
    use custodian::console::{HoldForm, RequestForm};
    use custodian::requests::{IdKind, Identifier};
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    let due = |rows: &[Review]| {
        let r = leads_of(rows, "Acme");
        (r.on_hold, r.due_now)
    };
    let when = at("2026-12-02T00:00:00Z");
    assert_eq!(due(&console.retention_review(None, when).await.unwrap()), (0, 4), "every lead is past 90 days");

    let email = |v: &str| Identifier { kind: IdKind::Email, value: v.into() };
    let ann = console
        .add_hold(HoldForm {
            identifiers: vec![email("ANN.LEE@example.com")],
            reason: "dispute".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ann.identifiers, ["email"], "the hold keeps kinds and hashes, not the address");
    let access = console
        .new_request(RequestForm {
            kind: RequestKind::Access,
            identifiers: vec![email("bob@example.net")],
            ..RequestForm::new(RequestKind::Access, vec![])
        })
        .await
        .unwrap();
    assert_eq!(
        due(&console.retention_review(None, when).await.unwrap()),
        (2, 2),
        "Ann by hold, Bob by his open request"
    );
    console.close_request(access.id, Outcome::Completed, None).await.unwrap();
    assert_eq!(due(&console.retention_review(None, when).await.unwrap()), (1, 3), "a closed request holds nothing");

    let client = console
        .add_hold(HoldForm {
            client: Some("Acme".into()),
            reason: "regulator's inquiry".into(),
            until: Some("2026-12-31".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(due(&console.retention_review(None, when).await.unwrap()), (4, 0));
    let after = console.retention_review(None, at("2027-01-01T00:00:00Z")).await.unwrap();
    assert_eq!(due(&after), (1, 3), "the client hold ended on 31 December");

    console.remove_hold(client.id).await.unwrap();
    console.remove_hold(ann.id).await.unwrap();
    assert_eq!(due(&console.retention_review(None, when).await.unwrap()), (0, 4));
    assert_eq!(console.remove_hold(ann.id).await.unwrap_err().code(), Code::NotFound);

    for (form, says) in [
        (HoldForm { reason: "x".into(), ..Default::default() }, "needs what it holds"),
        (
            HoldForm {
                client: Some("Acme".into()),
                identifiers: vec![email("a@b.com")],
                reason: "x".into(),
                ..Default::default()
            },
            "not both",
        ),
        (HoldForm { client: Some("Acme".into()), reason: " ".into(), ..Default::default() }, "needs its reason"),
        (
            HoldForm {
                client: Some("Acme".into()),
                reason: "x".into(),
                until: Some("2020-01-01".into()),
                ..Default::default()
            },
            "has passed",
        ),
    ] {
        let e = console.add_hold(form).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidInput);
        assert!(e.to_string().contains(says), "{e}");
    }
    let trail = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(trail.contains("hold.add") && trail.contains("because dispute") && trail.contains("hold.remove"));
    assert!(!trail.to_lowercase().contains("ann.lee"), "no identifiers in the trail");
}

#[test]
fn the_cli_adds_lists_and_lifts_holds() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let add = ws.cli(&["hold", "add", "--email", "ann@example.com", "--reason", "litigation", "--until", "2099-01-01"]);
    assert!(stdout(&add).contains("a person (email)\tuntil 2099-01-01\tlitigation"), "{}", stdout(&add));
    let client = ws.cli(&["hold", "add", "--client", "Acme", "--reason", "audit", "--json"]);
    let id =
        serde_json::from_slice::<serde_json::Value>(&client.stdout).unwrap()[0]["id"].as_i64().unwrap().to_string();
    assert!(stdout(&ws.cli(&["hold", "list"])).contains("client 'Acme'\tuntil lifted\taudit"));
    assert!(stdout(&ws.cli(&["hold", "remove", &id])).contains("Lifted hold"));
    assert!(!stdout(&ws.cli(&["hold", "list"])).contains("Acme"));
}

#[tokio::test]
async fn a_purge_removes_what_is_due_and_not_on_hold_and_audits_each_client_and_kind() {
    use custodian::console::{HoldForm, RequestForm};
    use custodian::requests::{IdKind, Identifier};
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    let email = |v: &str| Identifier { kind: IdKind::Email, value: v.into() };
    console
        .add_hold(HoldForm {
            identifiers: vec![email("ann.lee@example.com")],
            reason: "dispute".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let closed = console
        .new_request(RequestForm {
            kind: RequestKind::Access,
            identifiers: vec![email("x@example.com")],
            ..RequestForm::new(RequestKind::Access, vec![])
        })
        .await
        .unwrap();
    console.close_request(closed.id, Outcome::Completed, None).await.unwrap();

    let when = at("2026-12-02T00:00:00Z");
    let dry = console.purge_preview(when).await.unwrap();
    let plan: Vec<(&str, Option<&str>, i64)> =
        dry.purged.iter().map(|p| (p.kind.as_str(), p.client.as_deref(), p.count)).collect();
    assert_eq!(plan, [("leads", Some("Acme"), 3)], "Ann is held; the closed request is young");
    assert_eq!(
        console.list_leads(&custodian::leads::Filter::default(), 10, 0).await.unwrap().len(),
        4,
        "a dry run deletes nothing"
    );

    let run = console.purge(when).await.unwrap();
    let head = console.audit_list(1, None).await.unwrap().remove(0);
    assert_eq!(run.audit_seq, Some(head.seq));
    assert!(
        head.object.starts_with("purged 3 leads of client:") && head.object.ends_with("kept 90 days"),
        "{}",
        head.object
    );
    assert_eq!(run.purged.iter().map(|p| p.count).sum::<i64>(), 3);
    assert!(run.wal_emptied);
    let left = console.list_leads(&custodian::leads::Filter::default(), 10, 0).await.unwrap();
    assert_eq!(left.iter().filter_map(|l| l.meta_id.as_deref()).collect::<Vec<_>>(), ["1001"], "only Ann, on hold");
    let bob = custodian::leads::Filter { search: Some("Stone".into()), ..Default::default() };
    assert!(console.list_leads(&bob, 10, 0).await.unwrap().is_empty(), "search words went with the leads");
    assert!(console.purge_preview(when).await.unwrap().purged.is_empty(), "nothing more is due");

    // Two years on, the closed request record goes too.
    let later = console.purge(at("2029-01-01T00:00:00Z")).await.unwrap();
    assert!(later.purged.iter().any(|p| p.kind == DataKind::RequestRecords && p.count == 1), "{later:?}");
    assert_eq!(console.request(closed.id).await.unwrap_err().code(), Code::NotFound);
}

#[test]
fn the_cli_purges_with_a_dry_run_as_of_any_day() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let dry = ws.cli(&["retention", "purge", "--dry-run", "--now", "2030-01-01", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    let refused = ws.cli(&["retention", "purge", "--now", "2030-01-01"]);
    assert_eq!(refused.status.code(), Some(2), "--now is for dry runs only");
    let run = ws.cli(&["retention", "purge"]);
    assert!(run.status.success() && stdout(&run).contains("Nothing is past its retention period"), "{}", stdout(&run));
}

#[tokio::test]
async fn purging_audit_entries_leaves_an_anchor_from_which_the_trail_still_verifies() {
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    console.set_retention(DataKind::Leads, 36_500, None, "kept for this test").await.unwrap();
    let before = console.audit_verify().await.unwrap();
    assert!(before.intact && before.anchor.is_none());
    let last_old = console.audit_list(1, None).await.unwrap().remove(0);

    // Two years and a day on, every entry so far is past its 24 months.
    let run = console.purge(at("2028-11-25T00:00:00Z")).await.unwrap();
    let audit = run.purged.iter().find(|p| p.kind == DataKind::AuditEntries).expect("audit entries were purged");
    assert_eq!(audit.count, last_old.seq);
    let anchor = audit.anchor.clone().unwrap();
    assert_eq!((anchor.seq, anchor.hash.as_str()), (last_old.seq, last_old.hash.as_str()));

    let after = console.audit_verify().await.unwrap();
    assert!(after.intact, "{:?}", after.broken);
    assert_eq!((after.entries, after.anchor.as_ref()), (1, Some(&anchor)), "the purge's own entry remains");
    let kept = console.audit_list(10, None).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].object.contains(&format!("the trail now starts after #{}", anchor.seq)), "{}", kept[0].object);
    assert_eq!(kept[0].prev_hash, anchor.hash, "the chain continues from the anchor");
    let cli = ws.cli(&["audit", "verify"]);
    assert!(stdout(&cli).contains(&format!("Entries up to #{} were purged by policy", anchor.seq)), "{}", stdout(&cli));

    // More entries, then someone cuts the oldest off and moves the anchor without a purge on record.
    console.add_client("Gamma", None).await.unwrap();
    console.add_client("Delta", None).await.unwrap();
    console.close().await;
    let store = ws.raw_store().await;
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_entries ORDER BY seq LIMIT 1 OFFSET 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
    sqlx::query("DELETE FROM audit_entries WHERE seq <= ?1").bind(seq).execute(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_anchor SET seq = ?1, hash = ?2")
        .bind(seq)
        .bind(&hash)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let cut = ws.open().await.audit_verify().await.unwrap();
    assert!(!cut.intact);
    let reason = cut.broken.unwrap().reason;
    assert!(reason.contains("no purge on record removed the entries before it"), "{reason}");
}

/// Imports 2,000 generated leads (all long past 90 days) from `first` on into `client`, the
/// thousandth of them carrying `person`'s name and email, from a file outside the data directory.
async fn import_generated(ws: &Workspace, console: &Console, client: &str, first: u64, person: Option<(&str, &str)>) {
    use custodian::bench::leadgen;
    let header = leadgen::header();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut text = header.join("\t");
    for i in first..first + 2_000 {
        let mut row = leadgen::row(i);
        if let (true, Some((name, email))) = (i == first + 1_000, person) {
            row[column("full_name")] = name.into();
            row[column("email")] = email.into();
        }
        text.push('\n');
        text.push_str(&row.join("\t"));
    }
    let path = ws.path().with_extension(format!("{client}.tsv"));
    std::fs::write(&path, text).unwrap();
    console.import_file(&path, client, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    std::fs::remove_file(path).unwrap();
}

/// A workspace with clients Acme, on the default period, and Beta, whose leads are kept for a
/// century; and its database key, for the scanner.
async fn acme_and_beta_kept(ws: &Workspace) -> (Console, [u8; 32]) {
    let console = ws.open().await;
    let key = *ws.key().await.expose();
    console.add_client("Acme", None).await.unwrap();
    console.add_client("Beta", None).await.unwrap();
    console.set_retention(DataKind::Leads, 36_500, Some("Beta"), "Beta agreement: kept until ended").await.unwrap();
    (console, key)
}

#[tokio::test]
async fn a_purge_leaves_no_trace_of_what_it_removed_on_disk() {
    let ws = Workspace::new();
    let (console, key) = acme_and_beta_kept(&ws).await;
    // The lower-case words are how the search index keeps them.
    let gone = ["Ottoline Pemberwick", "opemberwick@example.test"];
    let kept = ["Barnaby Quillfeather", "bquillfeather@example.test"];
    for (client, first, [name, email]) in [("Acme", 0, gone), ("Beta", 10_000, kept)] {
        import_generated(&ws, &console, client, first, Some((name, email))).await;
    }
    console.close().await;
    let needles = [gone[0], gone[1], "pemberwick", "opemberwick"];
    let before = traces(ws.path(), &key, &needles);
    for needle in needles {
        assert!(before.iter().any(|t| t.starts_with(needle) && t.contains("database page")), "{needle}: {before:?}");
    }

    let console = ws.open().await;
    let run = console.purge(at("2026-11-23T00:00:00Z")).await.unwrap();
    let acme: Vec<_> =
        run.purged.iter().filter(|p| p.kind == DataKind::Leads).map(|p| (p.client.as_deref(), p.count)).collect();
    assert_eq!(acme, [(Some("Acme"), 2_000)], "Beta keeps its leads");
    assert!(run.wal_emptied);
    console.close().await;
    assert_eq!(traces(ws.path(), &key, &needles), Vec::<String>::new(), "nothing of the purged leads on disk");
    assert!(
        traces(ws.path(), &key, &kept).iter().any(|t| t.contains("database page")),
        "the kept leads are still readable"
    );
}

#[tokio::test]
async fn after_a_purge_and_a_client_removal_erasing_a_person_still_leaves_no_trace() {
    use custodian::console::RequestForm;
    use custodian::requests::{IdKind, Identifier};
    // Both remove their leads in bulk with the leads' own triggers set aside for the moment; an
    // erasure afterwards relies on those triggers being back.
    let ws = Workspace::new();
    let (console, key) = acme_and_beta_kept(&ws).await;
    console.add_client("Gone", None).await.unwrap();
    let erased = ["Wilhelmina Strangeways", "wstrangeways@example.test", "strangeways", "wstrangeways"];
    let removed = ["Peregrine Ashcombe", "pashcombe@example.test", "ashcombe", "pashcombe"];
    let kept = ["Barnaby Quillfeather", "bquillfeather@example.test"];
    import_generated(&ws, &console, "Acme", 0, Some((kept[0], kept[1]))).await;
    import_generated(&ws, &console, "Beta", 10_000, Some((erased[0], erased[1]))).await;
    import_generated(&ws, &console, "Gone", 20_000, Some((removed[0], removed[1]))).await;
    let other = custodian::bench::leadgen::email(10_007);

    let run = console.purge(at("2026-11-23T00:00:00Z")).await.unwrap();
    let purged: Vec<_> =
        run.purged.iter().filter(|p| p.kind == DataKind::Leads).map(|p| (p.client.as_deref(), p.count)).collect();
    assert_eq!(purged, [(Some("Acme"), 2_000), (Some("Gone"), 2_000)]);
    import_generated(&ws, &console, "Acme", 0, Some((kept[0], kept[1]))).await;
    import_generated(&ws, &console, "Gone", 20_000, Some((removed[0], removed[1]))).await;
    console.remove_client("Gone", true, None).await.unwrap();
    let request = console
        .new_request(RequestForm {
            kind: RequestKind::Erasure,
            identifiers: vec![Identifier { kind: IdKind::Email, value: erased[1].into() }],
            client: Some("Beta".into()),
            ..RequestForm::new(RequestKind::Erasure, vec![])
        })
        .await
        .unwrap();
    let done = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(done.receipt.deleted.iter().map(|d| d.count).sum::<i64>(), 1);
    console.close().await;

    assert_eq!(traces(ws.path(), &key, &erased), Vec::<String>::new(), "nothing of the erased person");
    assert_eq!(traces(ws.path(), &key, &removed), Vec::<String>::new(), "nothing of the removed client's leads");
    for needle in [kept[1], other.as_str()] {
        assert!(traces(ws.path(), &key, &[needle]).iter().any(|t| t.contains("database page")), "{needle} is kept");
    }
    let console = ws.open().await;
    let found = |q: &str| {
        let filter = custodian::leads::Filter { search: Some(q.into()), ..Default::default() };
        let console = &console;
        async move { console.list_leads(&filter, 10, 0).await.unwrap().len() }
    };
    assert_eq!((found("quillfeather").await, found("strangeways").await, found("ashcombe").await), (1, 0, 0));
}

#[tokio::test]
async fn a_purge_drops_whole_the_search_parts_whose_leads_all_go_and_leaves_no_trace() {
    let ws = Workspace::new();
    let (console, key) = acme_and_beta_kept(&ws).await;
    let gone = ["Ottoline Pemberwick", "opemberwick@example.test", "pemberwick", "opemberwick"];
    let kept = ["Barnaby Quillfeather", "bquillfeather@example.test"];
    import_generated(&ws, &console, "Beta", 10_000, Some((kept[0], kept[1]))).await;
    console.close().await;
    // Search keeps 65,536 leads to a part by id: a lead of Beta's when the last id of the first part
    // makes Acme's leads the only ones in the second.
    let store = ws.raw_store().await;
    let mut conn = store.pool().acquire().await.unwrap();
    for sql in [
        "CREATE TEMP TABLE copy AS SELECT * FROM leads WHERE id = 1",
        "UPDATE temp.copy SET id = 65535, lead_key = 'l:placeholder', meta_id = NULL",
        "INSERT INTO leads SELECT * FROM temp.copy",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    store.close().await;
    let console = ws.open().await;
    import_generated(&ws, &console, "Acme", 0, Some((gone[0], gone[1]))).await;
    let parts = |console: &Console| {
        let pool = console.store().pool().clone();
        async move { custodian::leads::words::parts(&mut pool.acquire().await.unwrap()).await.unwrap() }
    };
    assert_eq!(parts(&console).await, [0, 1]);

    let run = console.purge(at("2026-11-23T00:00:00Z")).await.unwrap();
    assert_eq!(run.purged.iter().filter(|p| p.kind == DataKind::Leads).map(|p| p.count).sum::<i64>(), 2_000);
    assert_eq!(parts(&console).await, [0], "the part of Acme's leads alone is gone");
    let search = |q: &str| custodian::leads::Filter { search: Some(q.into()), ..Default::default() };
    assert_eq!(console.list_leads(&search("quillfeather"), 10, 0).await.unwrap().len(), 1);
    assert_eq!(console.list_leads(&search("pemberwick"), 10, 0).await.unwrap().len(), 0);
    console.close().await;
    assert_eq!(traces(ws.path(), &key, &gone), Vec::<String>::new(), "nothing of the purged leads on disk");
    assert!(traces(ws.path(), &key, &kept).iter().any(|t| t.contains("database page")), "Beta's are kept");
    assert_eq!(ws.indexed_leads().await, 2_000, "Beta's leads, all still searchable");
}

#[tokio::test]
async fn scheduled_purges_are_on_record_and_the_next_runs_a_day_later_or_at_once_after_an_interruption() {
    let ws = Workspace::new();
    let console = with_leads(&ws).await;
    let now = console.now();
    let before = console.purge_schedule(now).await.unwrap();
    assert!(before.last.is_none());
    let due: Vec<_> = before.next.iter().map(|p| (p.kind.as_str(), p.client.as_deref(), p.count)).collect();
    assert_eq!(due, [("leads", Some("Acme"), 4)], "July's leads are past 90 days on 23 November");

    let run = console.scheduled_purge(now).await.unwrap();
    assert_eq!(run.purged.iter().map(|p| p.count).sum::<i64>(), 4);
    let after = console.purge_schedule(now).await.unwrap();
    let last = after.last.unwrap();
    assert!(last.automatic && last.finished_at.is_some() && last.error.is_none());
    assert_eq!(last.purged, 4);
    let next = at(&after.next_at);
    let started = at(&last.started_at);
    assert_eq!(next - started, chrono::Duration::days(1));
    assert!(after.next.is_empty());

    // A run that never finished (the app was killed) makes the next one due when once.
    console.close().await;
    let store = ws.raw_store().await;
    sqlx::query("INSERT INTO purge_runs (started_at, automatic) VALUES ('2026-11-23T01:00:00Z', 1)")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let console = ws.open().await;
    let interrupted = console.purge_schedule(now).await.unwrap();
    assert!(interrupted.last.unwrap().finished_at.is_none());
    assert_eq!(at(&interrupted.next_at), now);
}
