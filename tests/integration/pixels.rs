//! Pixel sharing against the Graph simulator: the pixels of the businesses a connection reaches
//! (owned and client pixels) with who can reach each and since when, sharing and revoking (asked
//! first, each on the pixel's log and the audit trail with Meta's answer), making a pixel (Meta's
//! 6200 explained), and a bulk file with a dry run that changes nothing.

use custodian::console::{Code, Console, PixelGrantee};

use crate::graph_sim::GraphSim;
use crate::support::{acme_on_meta, stderr, stdout, Workspace};

const TOKEN: &str = "EAAGsystemusertokenpixels0123456789abcdefABCDEF";
const AGENCY: &str = "500100";
const CLIENT_BUSINESS: &str = "600100";

/// The agency's business, with its own pixel 111 (shared with business 700100 to analyse) and
/// client Acme's pixel 222 shared with it; Acme's Meta connection reaches the agency's business.
async fn pixel_workspace(ws: &Workspace, sim: &GraphSim) -> Console {
    sim.business(AGENCY, "Agency");
    sim.pixel("111", "Agency site", AGENCY, &[("700100", &["ANALYZE"])]);
    sim.pixel("222", "Acme shop", CLIENT_BUSINESS, &[(AGENCY, &["ANALYZE", "UPLOAD"])]);
    sim.ad_account("act_900", "800100");
    acme_on_meta(ws, sim, TOKEN).await
}

fn agencies_of(sim: &GraphSim, pixel: &str) -> Vec<(String, Vec<String>)> {
    let mut agencies = sim.pixels().into_iter().find(|p| p.id == pixel).unwrap().agencies;
    agencies.sort();
    agencies
}

#[tokio::test]
async fn the_pixels_of_each_business_are_listed_with_who_can_reach_them_and_since_when() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = pixel_workspace(&ws, &sim).await;
    let listed = console.pixel_list(Some("Acme")).await.unwrap();
    let ids: Vec<(&str, &str)> = listed.iter().map(|p| (p.id.as_str(), p.relation.as_str())).collect();
    assert_eq!(ids, vec![("222", "client"), ("111", "owned")], "by name");
    let own = &listed[1];
    assert_eq!(own.client.as_deref(), Some("Acme"));
    assert_eq!(own.last_fired_time.as_deref(), Some("2026-11-22T08:00:00+0000"));
    assert_eq!(own.grants.len(), 1);
    assert_eq!((own.grants[0].kind.as_str(), own.grants[0].id.as_str()), ("business", "700100"));
    assert_eq!(own.grants[0].tasks, vec!["ANALYZE"]);
    assert!(!own.grants[0].by_custodian, "found already there");
    assert_eq!(own.grants[0].granted_at, "2026-11-23T09:00:00Z");

    let log = console.pixel_log(Some("111"), 10).await.unwrap();
    assert_eq!(log[0].operation, "list");
    let audit = console.audit_list(50, None).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "pixel.list" && e.object.starts_with("pixel:111")), "{audit:?}");
}

#[tokio::test]
async fn sharing_and_revoking_ask_first_and_are_logged_with_metas_answer() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = pixel_workspace(&ws, &sim).await;
    console.pixel_list(None).await.unwrap();

    let asked = console.pixel_share("111", "701100", "analyze,upload", false).await.unwrap_err();
    assert_eq!(asked.code(), Code::ConfirmationRequired);
    assert!(asked.to_string().contains("has no access"), "{asked}");
    assert_eq!(agencies_of(&sim, "111").len(), 1, "nothing changed before the confirmation");

    let shared = console.pixel_share("111", "701100", "analyze,upload", true).await.unwrap();
    assert_eq!(shared.tasks, vec!["ANALYZE", "UPLOAD"]);
    assert!(agencies_of(&sim, "111").contains(&("701100".into(), vec!["ANALYZE".into(), "UPLOAD".into()])));
    let access = console.pixel_access("111").await.unwrap();
    let grant = access.grants.iter().find(|g| g.id == "701100").unwrap();
    assert!(grant.by_custodian);

    let bad = console.pixel_share("111", "701100", "ANALYZE,SPY", true).await.unwrap_err();
    assert!(bad.to_string().contains("'SPY' is not a pixel task"), "{bad}");

    console.pixel_share_account("111", "123456", AGENCY).await.unwrap();
    let accounts = sim.pixels().into_iter().find(|p| p.id == "111").unwrap().accounts;
    assert_eq!(accounts, vec![("act_123456".to_owned(), AGENCY.to_owned())]);
    let access = console.pixel_access("111").await.unwrap();
    assert!(access.grants.iter().any(|g| g.kind == "ad_account" && g.id == "act_123456"), "{access:?}");

    let asked = console.pixel_revoke("111", PixelGrantee::Business("700100".into()), false).await.unwrap_err();
    assert_eq!(asked.code(), Code::ConfirmationRequired);
    console.pixel_revoke("111", PixelGrantee::Business("700100".into()), true).await.unwrap();
    console.pixel_revoke("111", PixelGrantee::AdAccount("act_123456".into()), true).await.unwrap();
    assert_eq!(agencies_of(&sim, "111"), vec![("701100".to_owned(), vec!["ANALYZE".to_owned(), "UPLOAD".to_owned()])]);
    let nothing = console.pixel_revoke("111", PixelGrantee::Business("700100".into()), true).await.unwrap_err();
    assert!(nothing.to_string().contains("nothing to revoke"), "{nothing}");

    let log = console.pixel_log(Some("111"), 50).await.unwrap();
    let ops: Vec<(&str, &str)> = log.iter().map(|o| (o.operation.as_str(), o.outcome.as_str())).collect();
    assert_eq!(ops.iter().filter(|(op, out)| *op == "share" && *out == "done").count(), 2, "{ops:?}");
    assert_eq!(ops.iter().filter(|(op, out)| *op == "revoke" && *out == "done").count(), 2, "{ops:?}");
    let audit = console.audit_list(100, None).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "pixel.revoke" && e.object.contains("business 700100")));
}

#[tokio::test]
async fn a_pixel_is_made_on_an_ad_account_and_a_second_one_is_explained() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = pixel_workspace(&ws, &sim).await;
    // The ad account's business is one the token reaches.
    sim.business("800100", "Acme ads");
    let id = console.pixel_create("900", "Acme offline", None).await.unwrap();
    assert!(sim.pixels().iter().any(|p| p.id == id && p.name == "Acme offline" && p.owner == "800100"));
    // Kept at once, with its business, before any listing: it can be shared straight away.
    let kept = console.pixels_kept(None).await.unwrap();
    let made = kept.iter().find(|p| p.id == id).expect("the new pixel is kept");
    assert_eq!(
        (made.name.as_str(), made.business_id.as_str(), made.relation.as_str()),
        ("Acme offline", "800100", "owned")
    );
    console.pixel_share(&id, "701100", "ANALYZE", true).await.unwrap();
    let again = console.pixel_create("act_900", "Acme second", None).await.unwrap_err();
    assert!(again.to_string().contains("6200") && again.to_string().contains("already exists"), "{again}");
    let log = console.pixel_log(None, 10).await.unwrap();
    let creates: Vec<(&str, &str)> =
        log.iter().filter(|o| o.operation == "create").map(|o| (o.operation.as_str(), o.outcome.as_str())).collect();
    assert_eq!(creates, [("create", "refused"), ("create", "done")]);
}

#[tokio::test]
async fn a_bulk_file_dry_run_says_what_would_change_and_changes_nothing_then_it_is_done_row_by_row() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = pixel_workspace(&ws, &sim).await;
    console.pixel_list(None).await.unwrap();
    let file = ws.path().join("pixels.csv");
    std::fs::write(
        &file,
        "pixel,business,tasks\n\
         111,701100,\"ANALYZE,UPLOAD\"\n\
         111,700100,ANALYZE\n\
         111,700100,\n\
         111,702100,\"ANALYZE,SPY\"\n\
         999,701100,ANALYZE\n\
         222,703100,\n",
    )
    .unwrap();
    let before = sim.pixels();
    let dry = console.pixel_bulk(&file, true).await.unwrap();
    let rows: Vec<(&str, &str)> = dry.rows.iter().map(|r| (r.change.as_str(), r.outcome.as_str())).collect();
    assert_eq!(
        rows,
        vec![
            ("share", "would"),
            ("none", "none"),
            ("revoke", "would"),
            ("invalid", "none"),
            ("invalid", "none"),
            ("none", "none")
        ]
    );
    assert!(dry.rows[3].message.as_deref().unwrap().contains("SPY"));
    assert!(dry.rows[4].message.as_deref().unwrap().contains("999"));
    assert_eq!(format!("{:?}", sim.pixels()), format!("{before:?}"), "a dry run changes nothing");

    let done = console.pixel_bulk(&file, false).await.unwrap();
    let rows: Vec<(&str, &str)> = done.rows.iter().map(|r| (r.change.as_str(), r.outcome.as_str())).collect();
    // The second row asks for what the pixel has; the third then revokes it.
    assert_eq!(rows[..3], [("share", "done"), ("none", "none"), ("revoke", "done")]);
    assert_eq!(agencies_of(&sim, "111"), vec![("701100".to_owned(), vec!["ANALYZE".to_owned(), "UPLOAD".to_owned()])]);
    assert!(done.failed(), "the invalid rows say so");
}

#[tokio::test]
async fn the_cli_lists_shares_and_runs_a_bulk_dry_run() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    drop(pixel_workspace(&ws, &sim).await);
    let listed = ws.cli(&["pixel", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(
        stdout(&listed).contains("111 Agency site (owned pixel of business 500100, client Acme)"),
        "{}",
        stdout(&listed)
    );
    assert!(stdout(&listed).contains("business 700100 may ANALYZE: since"), "{}", stdout(&listed));

    let unconfirmed = ws.cli(&["pixel", "share", "111", "--business", "701100", "--tasks", "ANALYZE"]);
    assert!(!unconfirmed.status.success());
    assert!(stderr(&unconfirmed).contains("Confirm"), "{}", stderr(&unconfirmed));
    let shared = ws.cli(&["pixel", "share", "111", "--business", "701100", "--tasks", "ANALYZE", "--yes"]);
    assert!(shared.status.success(), "{}", stderr(&shared));
    let account = ws.cli(&["pixel", "share", "111", "--ad-account", "act_42", "--business", AGENCY]);
    assert!(account.status.success(), "{}", stderr(&account));

    let file = ws.path().join("pixels.csv");
    std::fs::write(&file, "pixel,business,tasks\n111,701100,\n").unwrap();
    let dry = ws.cli(&["pixel", "bulk", file.to_str().unwrap(), "--dry-run", "--json"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("\"change\": \"revoke\"") && stdout(&dry).contains("\"outcome\": \"would\""));
    assert!(agencies_of(&sim, "111").iter().any(|(b, _)| b == "701100"), "the dry run changed nothing");
    let log = ws.cli(&["pixel", "log", "111"]);
    assert!(stdout(&log).contains("share 111 business 701100 (ANALYZE): done"), "{}", stdout(&log));
}
